"""What the command line says, through the real command: in the rubric's language,
in English with --lang en or INSPECT_SCORE_LANG=en, in the system's language where
there is no rubric."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from inspect_score.cli.main import main
from inspect_score.messages import language

ROOT = Path(__file__).parent.parent
RUBRIC = ROOT / "rubrics" / "street-2025-h1.toml"
SAMPLE = ROOT / "samples" / "街道社区2025上半年.csv"
EN_BASIC = Path(__file__).parent / "data" / "rubrics" / "en-basic.toml"

#: A form as a clerk saves it: the count typed with its unit, a header with a typo.
BAD_FORM = "编号,名称,三会一课召开次数,三会一课应开次\nSQ01,金桥社区,3次,6\n"


def invoke(*args: str, env: dict[str, str | None] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with the street rubric (lang = "zh"), the fifteen sample branches and a
    form with mistakes."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(RUBRIC, "rubric.toml")
    shutil.copy(SAMPLE, "list.csv")
    Path("bad.csv").write_text(BAD_FORM, encoding="utf-8")
    return tmp_path


def test_errors_of_a_zh_rubric_run_are_in_chinese(work: Path) -> None:
    """A clerk's mistakes are reported in Chinese, at the same PATH:ROW:COLUMN, and the
    closing line says in Chinese that nothing was written."""
    status, _, err = invoke("run", "rubric.toml", "bad.csv", "--csv", "out")
    lines = err.splitlines()
    assert status == 1
    assert "bad.csv:2:三会一课召开次数: 「3次」不是数字，应填0到200之间的整数" in lines
    # a misspelt header is one line: the missing column and the question, each header as
    # the form writes it in 「」, never the rubric's id for it
    assert ("bad.csv:1:三会一课应开次: 缺少「三会一课应开次数」列，该字段不允许缺失；"
            "第4列表头为「三会一课应开次」，是否应为「三会一课应开次数」？") in lines
    assert lines[-1].startswith("共") and lines[-1].endswith("处错误，未写出任何文件。")
    assert not Path("out").exists()


@pytest.mark.parametrize("arguments, env", [
    (["run", "--lang", "en"], None),
    (["--lang", "en", "run"], None),
    (["run"], {"INSPECT_SCORE_LANG": "en"}),
])
def test_english_on_request(work: Path, arguments: list[str],
                            env: dict[str, str | None] | None) -> None:
    """--lang en after the command or before it, or INSPECT_SCORE_LANG=en: the same
    lines in English, the locations and the exit status unchanged."""
    status, _, err = invoke(*arguments, "rubric.toml", "bad.csv", "--csv", "out", env=env)
    lines = err.splitlines()
    assert status == 1
    assert ("bad.csv:2:三会一课召开次数: '3次' is not a number; "
            "expected an int from 0 to 200") in lines
    assert lines[-1].endswith(" errors; nothing was written.")


def test_lang_on_the_command_line_wins_over_the_environment(work: Path) -> None:
    """--lang zh with INSPECT_SCORE_LANG=en: the option says what this run wants."""
    _, _, err = invoke("run", "--lang", "zh", "rubric.toml", "bad.csv", "--csv", "out",
                       env={"INSPECT_SCORE_LANG": "en"})
    assert err.splitlines()[-1].endswith("处错误，未写出任何文件。")


def test_an_en_rubric_speaks_english_on_a_chinese_system(work: Path) -> None:
    """The rubric's lang decides, not the system's: an English rubric's run is English."""
    status, _, err = invoke("check", str(EN_BASIC), env={"LANG": "zh_CN.UTF-8"})
    assert (status, err.strip()) == (0, f"{EN_BASIC}: OK")


def test_the_ranking_and_the_closing_line_of_a_run(work: Path) -> None:
    """The ranking's headings and "Wrote ..." follow the language of the run; the
    rubric's own words (titles, grade names) stay as written."""
    status, out, err = invoke("run", "rubric.toml", "list.csv", "--csv", "out")
    assert status == 0
    assert "排名" in out and "优秀" in out
    assert err.strip() == "已写出：" + "、".join(
        f"out/{name}" for name in ("ranking.csv", "points.csv", "findings.csv", "summary.csv"))
    status, out, err = invoke("run", "--lang", "en", "rubric.toml", "list.csv", "--csv", "out",
                              "--force")
    assert status == 0
    assert "Rank" in out and "优秀" in out
    assert err.startswith("Wrote out/ranking.csv, out/points.csv")


def test_check_and_validate_in_both_languages(work: Path) -> None:
    """check's OK line and validate's summary are said in the rubric's language."""
    assert invoke("check", "rubric.toml")[2].strip() == "rubric.toml: 检查通过"
    assert invoke("check", "--lang", "en", "rubric.toml")[2].strip() == "rubric.toml: OK"
    assert invoke("validate", "rubric.toml", "list.csv")[2].strip() == (
        "检查通过：1个文件，15行，15个支部。")
    assert invoke("validate", "rubric.toml", "list.csv", "--lang", "en")[2].strip() == (
        "OK: 15 rows, 15 branches in 1 files.")


def test_rubric_errors_are_in_the_broken_rubrics_language(work: Path) -> None:
    """A zh rubric that does not load is still reported in Chinese: its lang is read first."""
    text = Path("rubric.toml").read_text(encoding="utf-8").replace("total = 100", "total = -5", 1)
    Path("broken.toml").write_text(text, encoding="utf-8")
    status, _, err = invoke("check", "broken.toml")
    assert status == 1
    assert "rubric.total: 总分为-5，应大于0" in err


def test_compare_reports_the_largest_movers_in_the_rubrics_language(work: Path) -> None:
    """compare's report: "变动最大的支部" for a zh rubric, "Largest movers" with --lang en."""
    text = Path("rubric.toml").read_text(encoding="utf-8")
    Path("new.toml").write_text(text.replace('id = "street-2025-h1"', 'id = "street-2025-h1b"'),
                                encoding="utf-8")
    status, out, _ = invoke("compare", "rubric.toml", "new.toml", "list.csv")
    assert status == 0 and "共15个支部，等次上升0个、下降0个、不变15个" in out
    assert "没有支部名次或等次变动。" in out
    status, out, _ = invoke("compare", "--lang", "en", "rubric.toml", "new.toml", "list.csv")
    assert status == 0 and "No branch moved." in out


def test_sensitivity_reports_in_the_rubrics_language(work: Path) -> None:
    """sensitivity's tables: 单独变动时的影响 and 排名区间 for a zh rubric, "effect alone" in
    English."""
    status, out, err = invoke("sensitivity", "rubric.toml", "list.csv", "--runs", "20",
                              "--seed", "1")
    assert status == 0, err
    assert "单独变动时的影响" in out and "排名区间（5%–95%）" in out
    status, out, _ = invoke("sensitivity", "--lang", "en", "rubric.toml", "list.csv",
                            "--runs", "20", "--seed", "1")
    assert status == 0 and "effect alone" in out


def test_explain_in_both_languages(work: Path) -> None:
    """explain's report follows the language of the run."""
    status, zh, _ = invoke("explain", "rubric.toml", "list.csv", "--branch", "SQ01")
    assert status == 0
    status, en, _ = invoke("explain", "--lang", "en", "rubric.toml", "list.csv",
                           "--branch", "SQ01")
    assert status == 0
    assert zh != en and "幸福里社区" in zh and "幸福里社区" in en


def test_usage_errors_follow_the_rubric_too(work: Path) -> None:
    """An output that exists (exit 2) is said in the rubric's language."""
    Path("taken.xlsx").write_bytes(b"")
    status, _, err = invoke("run", "rubric.toml", "list.csv", "-o", "taken.xlsx")
    assert status == 2
    assert "taken.xlsx: 已存在；如需覆盖请加 --force" in err


def test_trend_of_results_speaks_the_language_of_their_rubric(work: Path) -> None:
    """trend on results files has no rubric at hand, but the results say their rubric's
    language (Chinese here): it speaks it as a command on the rubric would, whatever the
    system's locale; $INSPECT_SCORE_LANG still decides. Results that do not say it (written
    before it was recorded) are Chinese where their rubric's title is."""
    assert invoke("run", "rubric.toml", "list.csv", "--json", "2025上半年.json")[0] == 0
    document = json.loads(Path("2025上半年.json").read_text(encoding="utf-8"))
    Path("2025下半年.json").write_text(json.dumps(document), encoding="utf-8")
    _, zh, zh_err = invoke("trend", "2025上半年.json", "2025下半年.json", "-o", "t.xlsx")
    _, en, en_err = invoke("trend", "2025上半年.json", "2025下半年.json", "-o", "t2.xlsx",
                           env={"INSPECT_SCORE_LANG": "en"})
    assert zh_err.startswith("已写出：") and en_err.startswith("Wrote ")
    assert zh != en
    del document["rubric"]["lang"]
    for name in ("2025上半年.json", "2025下半年.json"):
        Path(name).write_text(json.dumps(document), encoding="utf-8")
    _, _, older = invoke("trend", "2025上半年.json", "2025下半年.json", "-o", "t3.xlsx")
    assert older.startswith("已写出：")


def test_the_language_of_a_command_does_not_outlive_it(work: Path) -> None:
    """A caller running commands in one process (a script, these tests) gets its own
    language back afterwards."""
    before = language()
    invoke("run", "--lang", "zh", "rubric.toml", "bad.csv", "--csv", "out")
    assert language() == before


@pytest.mark.parametrize("command", ["run", "validate"])
def test_a_fraction_in_a_percent_column_is_questioned_and_the_run_goes_on(
        work: Path, command: str) -> None:
    """0.93 typed under 群众满意度(%) is questioned at its cell, in Chinese, by run and
    validate alike; a warning never stops a run."""
    text = Path("list.csv").read_bytes().decode("gb18030").splitlines()
    header = text[0].split(",")
    column = header.index("群众满意度(%)")
    cells = text[1].split(",")
    cells[column] = "0.93"
    text[1] = ",".join(cells)
    Path("frac.csv").write_bytes("\n".join(text).encode("gb18030"))
    status, _, err = invoke(command, "rubric.toml", "frac.csv",
                            *(["--csv", "out"] if command == "run" else []))
    assert status == 0, err
    assert ("frac.csv:2:群众满意度(%): 警告：填的是0.93，是否应为93？该项为百分数（最大100），"
            "现按0.93计") in err.splitlines()


H2 = ROOT / "rubrics" / "street-2025-h2.toml"


@pytest.mark.parametrize("written", ["weight = 30%", "weight = 占30%", "weight = 30％"])
def test_a_percent_sign_in_a_rubric_is_said_in_chinese_with_the_fix(
        work: Path, written: str) -> None:
    """`weight = 30%` (or 占30%) breaks the TOML: the whole line is Chinese, at the line
    and key as every rubric error is (PATH:LINE: key.path: message), with the column
    tomli gives and the line as it should be written."""
    text = H2.read_text(encoding="utf-8").replace("weight = 0.3", written, 1)
    Path("broken.toml").write_text(text, encoding="utf-8")
    status, _, err = invoke("check", "broken.toml")
    assert status == 1
    [line] = err.splitlines()
    assert line.startswith("broken.toml:458: section[5].weight: TOML 语法错误：")
    assert line.endswith("列）；数值不能带百分号：写 weight = 0.3")
    assert "Expected" not in line and "Invalid" not in line


def test_a_broken_rubric_without_lang_is_said_in_its_default_language(work: Path) -> None:
    """A rubric too broken to parse and with no lang line says its errors in Chinese,
    the language it would have once mended (lang defaults to zh), on any system."""
    text = Path("rubric.toml").read_text(encoding="utf-8")
    text = text.replace('lang = "zh"\n', "", 1).replace("total = 100", "total = 100分", 1)
    Path("broken.toml").write_text(text, encoding="utf-8")
    status, _, err = invoke("check", "broken.toml")
    assert status == 1
    assert "rubric.total: TOML 语法错误：" in err


def test_swapped_arguments_are_said_in_the_language_of_the_rubric_given(work: Path) -> None:
    """`run CHECKLIST RUBRIC` on an English system: the rubric was given, only in the
    wrong place, and it says the language (Chinese here, English for an en rubric)."""
    status, _, err = invoke("run", "list.csv", "rubric.toml", env={"LANG": "C"})
    assert status == 2
    assert err.splitlines()[0] == ("list.csv: 是检查表（.csv），不是考评细则：考评细则应放在"
                                   "最前面；是否应为：inspect-score run rubric.toml list.csv")
    status, _, err = invoke("run", "list.csv", str(EN_BASIC), env={"LANG": "C"})
    assert err.startswith("list.csv: is a checklist (.csv), not a rubric")


def test_without_any_rubric_the_checklists_words_say_the_language(work: Path) -> None:
    """Two checklists and no rubric on an English system: Chinese headers (of a CSV, or
    the text of a workbook) say Chinese; English ones leave the system's language."""
    assert invoke("template", "rubric.toml", "-o", "form.xlsx")[0] == 0
    for first in ("list.csv", "form.xlsx"):
        status, _, err = invoke("validate", first, "bad.csv", env={"LANG": "C"})
        assert status == 2
        assert err.startswith(f"{first}: 是检查表"), err
    Path("a.csv").write_text("branch_id,meetings\nB1,3\n", encoding="utf-8")
    Path("b.csv").write_text("branch_id,meetings\nB2,3\n", encoding="utf-8")
    status, _, err = invoke("validate", "a.csv", "b.csv", env={"LANG": "C"})
    assert err.startswith("a.csv: is a checklist (.csv), not a rubric")
