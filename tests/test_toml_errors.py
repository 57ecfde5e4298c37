"""TOML syntax errors in the reader's words: tomli's fixed set of messages, each said in
Chinese, at its line and key, with its column, and the usual fix written out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tomli

from inspect_score.messages import Message
from inspect_score.rubric.toml_errors import describe_syntax_error, problem_text

#: A value for each placeholder of tomli's f-string messages, as tomli fills it.
SAMPLES = {"expect": repr("'''"), "key": "('a',)", "cont_key": "('a', 'b')",
           "abs_key_parent": "('a',)", "key_stem": "'a'", "src[pos]": repr("\x07"),
           "char": repr("\x07")}


def tomli_messages() -> list[str]:
    """Every message tomli's parser raises, read from its source, placeholders filled."""
    source = (Path(tomli.__file__).parent / "_parser.py").read_text(encoding="utf-8")
    found = re.findall(r'TOMLDecodeError\(\s*(f?)"((?:[^"\\]|\\.)*)"', source)
    assert len(found) > 20
    messages = []
    for is_f, text in found:
        text = text.encode().decode("unicode_escape")
        if is_f:
            text = re.sub(r"\{([^}!]+)(?:![a-z])?\}", lambda m: SAMPLES[m.group(1)], text)
        messages.append(text)
    return sorted(set(messages))


@pytest.mark.parametrize("message", tomli_messages())
def test_every_message_tomli_raises_has_ours(message: str) -> None:
    """Each of tomli's messages is one of ours (a catalog message, said in Chinese too),
    never shown in tomli's English: an upgrade adding a message fails here first."""
    ours = problem_text(message)
    assert isinstance(ours, Message)
    assert ours.render("zh") != ours.render("en")


def described(text: str) -> tuple[int | None, str | None, str]:
    with pytest.raises(tomli.TOMLDecodeError) as caught:
        tomli.loads(text)
    problem = describe_syntax_error(caught.value)
    return problem.row, problem.key, problem.message.render("zh")


@pytest.mark.parametrize(("text", "row", "key", "zh"), [
    ('[[section]]\nid = "a"\n[[section]]\nweight = 20%\n', 4, "section[2].weight",
     "TOML 语法错误：值的后面还有多余内容，每行只写一个 键 = 值（第12列）；"
     "数值不能带百分号：写 weight = 0.2"),
    ("[rubric]\nweight = 占20%\n", 2, "rubric.weight",
     "TOML 语法错误：不是有效的值：文字要加英文双引号，数字不带单位，是非写 true 或 false"
     "（第10列）；数值不能带百分号：写 weight = 0.2"),
    ("[[grade]]\nmax_share = 12.5％\n", 2, "grade[1].max_share",
     "TOML 语法错误：值的后面还有多余内容，每行只写一个 键 = 值（第17列）；"
     "数值不能带百分号：写 max_share = 0.125"),
    ("[[veto]]\nvalue = 60%\n", 2, "veto[1].value",
     "TOML 语法错误：值的后面还有多余内容，每行只写一个 键 = 值（第11列）；"
     "数值不能带百分号：写 value = 60"),
    ('[rubric]\ntitle = “党建考评”\n', 2, "rubric.title",
     "TOML 语法错误：不是有效的值：文字要加英文双引号，数字不带单位，是非写 true 或 false"
     '（第9列）；文字要用英文双引号：写 title = "党建考评"'),
    ("[rubric]\ntitle = 党建考评\n", 2, "rubric.title",
     "TOML 语法错误：不是有效的值：文字要加英文双引号，数字不带单位，是非写 true 或 false"
     '（第9列）；文字要加英文双引号：写 title = "党建考评"'),
    ("[rubric]\ntotal ＝ 100\n", 2, "rubric.total",
     "TOML 语法错误：键的后面应为等号 =（第7列）；等号要用英文半角 =，不要用 ＝"),
    ('[rubric]\ntitle = "党建\n', 2, "rubric.title",
     "TOML 语法错误：字符串在本行没有结束：缺少结尾的引号（第12列）"),
    ("[rubric]\n[rubric]\n", 2, None, "TOML 语法错误：表 [rubric] 重复声明（第8列）"),
    ("fields = [1, 2\n", 2, None,
     "TOML 语法错误：数组没有结束：缺少 ]，或元素之间缺少逗号（在文件末尾）"),
])
def test_a_syntax_error_is_said_at_its_line_and_key_with_the_fix(
        text: str, row: int, key: str | None, zh: str) -> None:
    """The line tomli names is the row, the key written on it the key path; the message
    is Chinese, with the column, and for the usual mistakes the line as it should be:
    a percentage is a fraction for weight and the shares (0.2), the number elsewhere."""
    assert described(text) == (row, key, zh)
