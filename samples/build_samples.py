"""Write the bundled sample checklists from the table below.

Run ``python samples/build_samples.py`` after changing the table; the files it
writes are committed, so nobody needs to run it to try the tool. The output is
deterministic (the workbook's creation date is pinned).

The communities are those of one sub-district, 东湖街道, half-year 2025. Their
values are chosen for a realistic spread under ``rubrics/street-2025-h1.toml``:
three 优秀 (the quota of 20%), two more that reach 90 but fall to 良好 under the
quota, one capped at 良好 by low satisfaction, one serious violation (veto),
one discipline case, two 不合格, bonuses for a few.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent

FIELDS = (
    ("meetings_held", "三会一课召开次数"),
    ("meetings_required", "三会一课应开次数"),
    ("reserve_cadres", "后备干部人数"),
    ("activists", "入党积极分子人数"),
    ("dues_on_time", "党费足额按时上交"),
    ("files_status", "党建档案"),
    ("roster_ok", "党员花名册完整"),
    ("minutes_ok", "会议记录完整"),
    ("ledger_ok", "党费台账完整"),
    ("photos_ok", "活动影像资料完整"),
    ("study_absences", "学习教育缺勤人次"),
    ("service_events", "志愿服务活动次数"),
    ("audit_breaches", "违反三审制度笔数"),
    ("finance_published", "财务公开次数"),
    ("satisfaction", "群众满意度(%)"),
    ("awards", "区级以上表彰次数"),
    ("media_reports", "市级以上媒体报道次数"),
    ("discipline_cases", "受党纪处分人次"),
    ("serious_violation", "发生严重违纪问题"),
    ("remarks", "备注"),
)
BOOLS = {"dues_on_time", "roster_ok", "minutes_ok", "ledger_ok", "photos_ok", "serious_violation"}

Y, N = True, False
# id, name, then the fields in FIELDS order; None = left blank
COMMUNITIES: list[tuple[object, ...]] = [
    ("SQ01", "幸福里社区", 12, 12, 3, 4, Y, "齐全", Y, Y, Y, Y, 0, 8, 0, 2, 96.5, 2, 1, 0, N,
     "党建引领“红色物业”获区级表彰两次"),
    ("SQ02", "东湖社区", 12, 12, 4, 2, Y, "齐全", Y, Y, Y, N, 2, 7, 0, 2, 93.0, 1, 0, 0, N, ""),
    ("SQ03", "柳园社区", 11, 12, 3, 1, Y, "齐全", Y, Y, Y, Y, 4, 6, 0, 2, 91.2, 0, 0, 0, N, ""),
    ("SQ04", "新华社区", 12, 12, 2, 3, Y, "基本齐全", Y, Y, Y, Y, 3, 5, 0, 2, 89.0, 0, 2, 0, N,
     "志愿服务事迹两次见诸市级媒体"),
    ("SQ05", "朝阳社区", 10, 12, 2, 1, Y, "基本齐全", Y, Y, N, Y, 6, 4, 1, 2, 85.0, 0, 0, 0, N,
     "党费台账未按月登记"),
    ("SQ06", "和平社区", 11, 12, 3, 0, Y, "齐全", Y, Y, Y, Y, 2, 6, 0, 2, 90.0, 0, 0, 0, N,
     "本期未培养入党积极分子"),
    ("SQ07", "金桥社区", 9, 12, 1, 1, N, "不齐全", Y, N, N, N, 10, 3, 2, 1, 78.0, 0, 0, 0, N,
     "党费迟交两个月，档案缺失较多"),
    ("SQ08", "春晖社区", 11, 12, 2, 1, Y, "基本齐全", Y, Y, Y, Y, 4, 5, 0, 2, None, 0, 0, 0, N,
     "本期未开展群众满意度测评"),
    ("SQ09", "桂花社区", 12, 12, 3, 2, Y, "齐全", Y, Y, Y, Y, 2, 6, 0, 2, 88.0, 0, 0, 1, Y,
     "原支委违规收受礼金，已立案"),
    ("SQ10", "滨江社区", 12, 12, 2, 1, Y, "基本齐全", Y, Y, Y, N, 5, 5, 1, 2, 82.0, 0, 0, 0, N,
     ""),
    ("SQ11", "翠苑社区", 12, 12, 3, 2, Y, "基本齐全", Y, Y, Y, Y, 3, 6, 0, 1, 86.0, 0, 0, 0, N,
     ""),
    ("SQ12", "文昌社区", 12, 12, 2, 1, Y, "齐全", Y, Y, N, Y, 4, 4, 1, 2, 84.0, 0, 0, 1, N,
     "一名支委受党内警告处分"),
    ("SQ13", "南苑社区", 10, 12, 1, 0, Y, "基本齐全", Y, Y, N, N, 8, 3, 2, 1, 56.0, 0, 0, 0, N,
     "限期整改，下月复查"),
    ("SQ14", "锦绣社区", 12, 12, 3, 3, Y, "齐全", Y, Y, Y, Y, 0, 8, 0, 2, 58.0, 0, 0, 0, N,
     "物业纠纷影响群众满意度"),
    ("SQ15", "清河社区", 12, 12, 2, 2, Y, "齐全", Y, Y, Y, N, 4, 5, 0, 2, 87.0, 0, 0, 0, N, ""),
]

#: Another grid of the same sub-district, submitted as a workbook.
GRID_TWO: list[tuple[object, ...]] = [
    ("SQ16", "紫荆社区", 12, 12, 3, 2, Y, "齐全", Y, Y, Y, Y, 1, 7, 0, 2, 92.5, 1, 0, 0, N, ""),
    ("SQ17", "双井社区", 11, 12, 2, 1, Y, "基本齐全", Y, Y, Y, N, 3, 5, 0, 2, 88.0, 0, 1, 0, N,
     ""),
    ("SQ18", "杏林社区", 12, 12, 1, 1, Y, "齐全", Y, N, Y, Y, 5, 4, 1, 1, 83.5, 0, 0, 0, N,
     "会议记录缺两次"),
    ("SQ19", "沙湖社区", 8, 12, 0, 0, N, "不齐全", N, N, Y, N, 12, 2, 3, 0, 71.0, 0, 0, 0, N,
     "书记新任，工作尚未理顺"),
    ("SQ20", "石桥社区", 12, 12, 3, 2, Y, "齐全", Y, Y, Y, Y, 2, 6, 0, 2, None, 0, 0, 0, N,
     "未开展测评"),
]

#: The third and fourth grids, as their forms landed in the office's inbox.
GRID_THREE: list[tuple[object, ...]] = [
    ("SQ21", "长青社区", 12, 12, 3, 2, Y, "齐全", Y, Y, Y, Y, 1, 6, 0, 2, 94.0, 0, 1, 0, N, ""),
    ("SQ22", "丰乐社区", 11, 12, 2, 1, Y, "基本齐全", Y, Y, N, Y, 4, 4, 1, 2, 86.5, 0, 0, 0, N,
     "党费台账漏记一笔"),
    ("SQ23", "德胜社区", 12, 12, 2, 2, Y, "齐全", Y, Y, Y, Y, 2, 5, 0, 2, 89.0, 1, 0, 0, N, ""),
]
GRID_FOUR: list[tuple[object, ...]] = [
    ("SQ24", "桃源社区", 10, 12, 1, 1, Y, "基本齐全", Y, N, Y, Y, 6, 3, 1, 1, 80.0, 0, 0, 0, N,
     "会议记录不全"),
    ("SQ25", "兴隆社区", 12, 12, 3, 3, Y, "齐全", Y, Y, Y, Y, 0, 7, 0, 2, 95.5, 0, 0, 0, N, ""),
]
FORM_TITLE = "2025年上半年社区党建工作检查考评表"

RATERS = ("张敏", "李强", "王芳")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _plain(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _as_typed(row: tuple[object, ...], index: int) -> str:
    """One cell the way a person at that community typed it into Excel or WPS."""
    field, _ = FIELDS[index - 2]
    value = row[index]
    number = int(str(row[0])[2:])
    if field in BOOLS:
        # some communities tick √/×, most write 是/否, a few pad with spaces
        if number % 4 == 1:
            return "√" if value else "×"
        return (" 是" if value else "否 ") if number % 5 == 0 else ("是" if value else "否")
    if field == "satisfaction" and value is not None:
        return f"{_plain(value)}%" if number % 2 == 0 else _plain(value)
    if field in ("meetings_held", "service_events") and number in (3, 7, 11):
        return _plain(value).translate(FULL_WIDTH)  # typed with a Chinese input method
    if field == "files_status" and number in (4, 10):
        return f" {value} "
    return _plain(value)


def write_main_csv() -> None:
    """The whole sub-district in one CSV saved by Excel as 'CSV (逗号分隔)': GBK, labels."""
    headers = ["编号", "名称", *(label for _, label in FIELDS)]
    headers[5] = " " + headers[5]  # a stray space typed into one header
    lines = [",".join(headers)]
    for row in COMMUNITIES:
        cells = [str(row[0]), str(row[1])]
        cells += [_as_typed(row, index) for index in range(2, len(row))]
        lines.append(",".join(cells))
    (HERE / "街道社区2025上半年.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))


def write_workbook() -> None:
    """A second grid as a workbook: typed numbers, Excel TRUE/FALSE, ids as text."""
    folder = HERE / "xlsx"
    folder.mkdir(exist_ok=True)
    path = folder / "东湖街道第二网格.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": dt.datetime(2025, 7, 10, 9, 0, 0)})
    sheet = book.add_worksheet("检查表")
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    sheet.write_row(0, 0, ["编号", "名称", *(label for _, label in FIELDS)], header)
    for offset, row in enumerate(GRID_TWO, start=1):
        for column, value in enumerate(row):
            field = FIELDS[column - 2][0] if column >= 2 else ""
            if value is None:
                continue
            if field in BOOLS and offset % 2 == 0:
                sheet.write_boolean(offset, column, bool(value))
            elif field in BOOLS:
                sheet.write_string(offset, column, "是" if value else "否")
            elif isinstance(value, int | float):
                sheet.write_number(offset, column, value)
            else:
                sheet.write_string(offset, column, str(value))
    sheet.set_column(0, 1, 12)
    sheet.set_column(2, len(FIELDS) + 1, 10)
    book.close()


def _totals(rows: list[tuple[object, ...]]) -> list[object]:
    """The sums a clerk adds under the counts (a 合计 row), blank under the rest."""
    sums: list[object] = []
    for index, (field, _) in enumerate(FIELDS, start=2):
        values = [row[index] for row in rows]
        counted = field not in BOOLS and all(isinstance(value, int) for value in values)
        sums.append(sum(int(str(value)) for value in values) if counted else None)
    return sums


def write_inbox() -> None:
    """An inbox as forms arrive in it: a workbook under a two-row title with a 合计
    row, a WPS CSV with a 序号 column, a title and a 合计 row, and a note."""
    folder = HERE / "收件箱"
    folder.mkdir(exist_ok=True)
    path = folder / "东湖街道第三网格-考评表.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": dt.datetime(2025, 7, 8, 16, 30, 0)})
    sheet = book.add_worksheet("Sheet1")
    title = book.add_format({"bold": True, "font_size": 16, "align": "center"})
    header = book.add_format({"bold": True, "text_wrap": True, "align": "center",
                              "valign": "vcenter", "border": 1})
    cell = book.add_format({"border": 1})
    last = len(FIELDS) + 1
    sheet.merge_range(0, 0, 0, last, FORM_TITLE, title)
    sheet.merge_range(1, 0, 1, last, "填报单位：东湖街道第三网格　　填报日期：2025年7月8日")
    sheet.write_row(2, 0, ["编号", "名称", *(label for _, label in FIELDS)], header)
    for offset, row in enumerate(GRID_THREE, start=3):
        for column, value in enumerate(row):
            field = FIELDS[column - 2][0] if column >= 2 else ""
            if value is None:
                sheet.write_blank(offset, column, None, cell)
            elif field in BOOLS:
                sheet.write_string(offset, column, "是" if value else "否", cell)
            elif isinstance(value, int | float):
                sheet.write_number(offset, column, value, cell)
            else:
                sheet.write_string(offset, column, str(value), cell)
    sums = len(GRID_THREE) + 3
    sheet.write_string(sums, 0, "合计", cell)
    sheet.write_blank(sums, 1, None, cell)
    for column, value in enumerate(_totals(GRID_THREE), start=2):
        if value is None:
            sheet.write_blank(sums, column, None, cell)
        else:
            sheet.write_number(sums, column, float(str(value)), cell)
    sheet.set_row(2, 45)
    sheet.set_column(0, 1, 11)
    sheet.set_column(2, last, 9)
    sheet.set_paper(9)  # A4, landscape, one page wide: as the grid printed it
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    book.close()

    headers = ["序号", "编号", "名称", *(label for _, label in FIELDS)]
    lines = [FORM_TITLE + "," * (len(headers) - 1), ",".join(headers)]
    for number, row in enumerate(GRID_FOUR, start=1):
        lines.append(",".join([str(number), *(_plain(value) if not isinstance(value, bool)
                                              else ("是" if value else "否")
                                              for value in row)]))
    lines.append(",".join(["合  计", "", "", *(_plain(value) for value in _totals(GRID_FOUR))]))
    (folder / "东湖街道第四网格.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    (folder / "说明.txt").write_text("第五网格的考评表尚未报送，下周一前补交。\n", encoding="utf-8")


def write_toml_folder() -> None:
    """Five communities that filled in one TOML file each."""
    folder = HERE / "toml"
    folder.mkdir(exist_ok=True)
    for row in COMMUNITIES[:5]:
        lines = [
            f"# {row[1]} 2025年上半年党建工作自查表",
            f'branch_id = "{row[0]}"',
            f'branch_name = "{row[1]}"',
            "",
            "[values]",
        ]
        for index, (field, label) in enumerate(FIELDS, start=2):
            value = row[index]
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, str):
                text = f'"{value}"'
            else:
                text = _plain(value)
            lines.append(f"{field} = {text}".ljust(28) + f"  # {label}")
        (folder / f"{row[0]}-{row[1]}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_raters_csv() -> None:
    """Three inspectors per community, each with their own reading of the same visit."""
    folder = HERE / "raters"
    folder.mkdir(exist_ok=True)
    headers = ["编号", "名称", "评分人", *(label for _, label in FIELDS)]
    lines = [",".join(headers)]
    for row in COMMUNITIES:
        for turn, rater in enumerate(RATERS):
            values = list(row)
            number = int(str(row[0])[2:])
            # inspectors differ on what they count, by a little and not always
            shift = (number + turn) % 3 - 1
            values[12] = max(0, int(str(values[12])) + shift)  # study_absences
            if values[16] is not None:
                values[16] = min(100.0, float(str(values[16])) + 1.5 * shift)
            if turn == 2 and values[7] == "齐全" and number % 3 == 0:
                values[7] = "基本齐全"
            cells = [str(row[0]), str(row[1]), rater]
            for index in range(2, len(values)):
                value = values[index]
                if isinstance(value, bool):
                    cells.append("是" if value else "否")
                else:
                    cells.append(_plain(value))
            lines.append(",".join(cells))
    path = folder / "街道社区2025上半年-三人评分.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))


def main() -> None:
    write_main_csv()
    write_workbook()
    write_toml_folder()
    write_raters_csv()
    write_inbox()


if __name__ == "__main__":
    main()
