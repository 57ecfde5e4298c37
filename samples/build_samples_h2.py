"""Write the sample checklist of the second half of 2025 from the table below.

Run ``python samples/build_samples_h2.py`` after changing the table; the file
it writes, ``h2/街道社区2025下半年.csv``, is committed. It scores under the
schema 2 rubrics ``rubrics/street-2025-h2.toml`` and ``rubrics/stars-2025-h2.toml``.

The same fifteen communities of 东湖街道 as the first half, each under its
first-half id and name (``build_samples.py``), so that a trend from one half to
the other compares like with like. A 期间 column says the period, which the
bulletin and the workbooks' titles take from it. Every community
starts from a clean checklist (``CLEAN``) and differs where the table says:
meetings short by type, dues in arrears, reserve cadres under three, no
activists, missing documents named one by one, 三审 breaches, a 一肩挑
community without a deputy, a survey not held, a discipline case, one
community excluded for a serious violation and one zeroed for an accident.
"""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "h2" / "街道社区2025下半年.csv"
#: what the 期间 column says: documents take the period inspected from it
PERIOD = "2025年下半年"

#: field id, header as the checklist shows it (the rubric's label)
FIELDS = (
    ("party_members", "党员人数"), ("committee_meetings", "支委会次数"),
    ("general_meetings", "党员大会次数"), ("group_meetings", "党小组会次数"),
    ("party_lectures", "党课次数"), ("theme_day", "每月开展主题党日"),
    ("dues_on_time", "党费按时足额交纳"), ("members_in_arrears", "欠缴党费人数"),
    ("reserve_cadres", "后备干部人数"), ("activists", "入党积极分子人数"),
    ("training_plan", "积极分子培养计划"), ("dual_role", "书记主任一肩挑"),
    ("deputy_secretary", "配备专职党务副书记"), ("roster", "党员名册"),
    ("minutes_book", "会议记录本"), ("dues_ledger", "党费收缴台账"),
    ("activist_files", "积极分子培养档案"), ("development_files", "发展党员档案"),
    ("study_records", "学习记录"), ("theme_day_records", "主题党日记录"),
    ("review_records", "民主评议党员记录"), ("open_affairs", "党务公开记录"),
    ("plans_summaries", "工作计划总结"), ("audit_breaches", "违反三审制度票据笔数"),
    ("accounts_public", "账务按季公开"), ("service_points", "为民办实事得分"),
    ("satisfaction", "群众满意率(%)"), ("member_review", "党员评议得分"),
    ("award_level", "获得表彰"), ("website", "建立社区网站"),
    ("wechat_group", "建立党员微信群"), ("secretary_cases", "书记受党纪处分人次"),
    ("member_cases", "委员受党纪处分人次"), ("serious_violation", "发生严重违纪违法问题"),
    ("safety_accident", "发生重大安全责任事故"), ("remarks", "备注"),
)

DOCUMENTS = ("roster", "minutes_book", "dues_ledger", "activist_files", "development_files",
             "study_records", "theme_day_records", "review_records", "open_affairs",
             "plans_summaries")

CLEAN: dict[str, object] = {
    "committee_meetings": 6, "general_meetings": 2, "group_meetings": 6, "party_lectures": 2,
    "theme_day": "是", "dues_on_time": "是", "members_in_arrears": 0, "reserve_cadres": 3,
    "activists": 2, "training_plan": "是", "dual_role": "否", "deputy_secretary": "",
    **dict.fromkeys(DOCUMENTS, "是"),
    "audit_breaches": 0, "accounts_public": "是", "service_points": 9, "satisfaction": 95,
    "member_review": 38, "award_level": "无", "website": "否", "wechat_group": "是",
    "secretary_cases": 0, "member_cases": 0, "serious_violation": "否",
    "safety_accident": "否", "remarks": "",
}

#: id, name, members, what differs from a clean checklist
COMMUNITIES: tuple[tuple[str, str, int, dict[str, object]], ...] = (
    ("SQ01", "幸福里社区", 126, {"award_level": "区级", "service_points": 10}),
    ("SQ02", "东湖社区", 98, {"group_meetings": 4, "satisfaction": 97, "website": "是"}),
    ("SQ03", "柳园社区", 67, {"activists": 0, "training_plan": "否", "minutes_book": "否",
                           "theme_day_records": "否", "satisfaction": 88}),
    ("SQ04", "新华社区", 143, {"reserve_cadres": 2, "award_level": "市级及以上"}),
    ("SQ05", "朝阳社区", 85, {"dual_role": "是", "deputy_secretary": "否",
                           "general_meetings": 1}),
    ("SQ06", "和平社区", 66, {"safety_accident": "是", "remarks": "11月发生燃气事故"}),
    ("SQ07", "金桥社区", 80, {"committee_meetings": 5, "group_meetings": 3,
                           "members_in_arrears": 1, "reserve_cadres": 2, "dues_ledger": "否",
                           "activist_files": "否", "development_files": "否",
                           "audit_breaches": 1, "service_points": 6, "satisfaction": 82,
                           "member_review": 30}),
    ("SQ08", "春晖社区", 59, {"satisfaction": "", "dual_role": "是", "deputy_secretary": "是",
                           "remarks": "未组织群众测评"}),
    ("SQ09", "桂花社区", 105, {"serious_violation": "是", "member_cases": 1}),
    ("SQ10", "滨江社区", 72, {"secretary_cases": 1, "satisfaction": 90}),
    ("SQ11", "翠苑社区", 133, {"website": "是"}),
    ("SQ12", "文昌社区", 74, {"member_cases": 1, "audit_breaches": 2, "service_points": 8}),
    ("SQ13", "南苑社区", 91, {"committee_meetings": 3, "party_lectures": 0, "theme_day": "否",
                           "reserve_cadres": 1, "activists": 1, "training_plan": "否",
                           "study_records": "否", "theme_day_records": "否",
                           "review_records": "否", "open_affairs": "否",
                           "plans_summaries": "否", "audit_breaches": 4,
                           "accounts_public": "否", "service_points": 5, "satisfaction": 70,
                           "member_review": 25, "wechat_group": "否"}),
    ("SQ14", "锦绣社区", 112, {"dues_on_time": "否", "members_in_arrears": 4,
                            "remarks": "党费已于12月补交"}),
    ("SQ15", "清河社区", 88, {"satisfaction": 90, "service_points": 8, "general_meetings": 1,
                           "party_lectures": 1}),
)


def main() -> None:
    """Write the checklist as Excel saves "CSV UTF-8": a byte-order mark, Chinese headers."""
    with OUT.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(["编号", "名称", "期间", *(label for _, label in FIELDS)])
        for branch_id, name, members, changes in COMMUNITIES:
            values = {**CLEAN, "party_members": members, **changes}
            writer.writerow([branch_id, name, PERIOD, *(values[field] for field, _ in FIELDS)])


if __name__ == "__main__":
    main()
