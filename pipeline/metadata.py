"""Title, year and agency of a document, and whether it is an annual report at all."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass

from pipeline.numbers import nfkc, squash

_REPORT_PHRASE = re.compile(r"(政府|政务)?信息公开(工作)?(的)?(年度)?(工作)?(报告|年报)|信息公开年报")
# Titles in report columns that are not reports (quirk 23 and §4.1 of the domain notes).
_NOT_REPORT_TITLE = re.compile(r"解读|说明|通知|指南|决算|预算|目录|图解|问答|公告|公示|征求意见")
# A title ends with the report phrase, perhaps followed by a note such as （图片版）.
_TITLE_END = re.compile(
    r"((政府|政务)?信息公开(工作)?(的)?(年度)?(工作)?报告|信息公开年报|年度报告)(\([^)]{1,8}\))?$"
)
_YEAR = r"((?:19|20)\d{2})\s*年"
_TITLE_RE = re.compile(
    r"^(?:关于)?(?P<pre>.*?)(?:\(?(?P<year>(?:19|20)\d{2})\s*\)?\s*年\s*度?)(?P<post>.*?)"
    r"(?:的)?(?:政府|政务)?信息公开(?:工作)?(?:的)?(?:年度)?(?:工作)?(?:报告|年报)"
)
# The statistics-period sentence ("统计期限自2024年1月1日", "统计时限自…", "统计数据从…"). Pages
# that lost characters around digits drop the 年 ("统计期限为201711日至20171231日", "20231月1日"):
# a year followed directly by a month or a day counts too.
_PERIOD_RE = re.compile(
    r"统计(?:期限|时限|期间|时间段?|数据)[^\d。;]{0,6}?((?:19|20)\d{2})(?:年|(?=\d{1,2}月|\d{1,4}日))"
)
_AGENCY_SUFFIX = re.compile(
    r"(人民政府办公室|人民政府办公厅|人民政府|政府办公室|政府办|办公室|办公厅|委员会|管理委员会|管委会|"
    r"[局厅部委署办院会站所中心处室队]|街道办事处|街道|人民法院|人民检察院)$"
)
_PLACE_SUFFIX = re.compile(r"(省|自治区|市|自治州|州|地区|盟|县|自治县|区|旗|镇|乡|街道|新区|开发区)$")
# Empty cells at either end of a spreadsheet row as the readers print it ("title |  |  | ").
_EMPTY_CELLS = re.compile(r"^(\s*\|)+|(\|\s*)+$")
# A row naming who filled in a statistics sheet ("填报单位：前进区人民政府").
_UNIT_LINE = re.compile(r"^(?:填报|报送|编制|制表)?单位(?:名称)?[:：]\s*(?P<name>[^\s|:：]{2,40})")
# Characters that end a run of place names when reading backwards from an agency name in prose.
_PROSE_BREAK = set("在的由是为及与对向经将据按从至了可到请见以、，。；：:;,.（）()《》“”\"' \t\n")
_PROSE_VERBS = re.compile(
    r"关于|位于|对于|由于|属于|致电|电话|联系|咨询|拨打|登录|访问|详见|查阅|关注|通过|根据|依据"
)
# What follows a place named alone in a title to make it an agency (never 政府信息公开).
_PLACE_AGENCY = r"(人民政府办公室|人民政府|政府办公室|政府(?!信息)|管理委员会|管委会)"
_PREFIX_PLACE = re.compile(
    r"^(?:中华人民共和国|(?:[\u4e00-\u9fff]{1,8}?(?:省|自治区|市|自治州|地区|盟|州|县|区|旗))+)$"
)


@dataclass
class DocumentMetadata:
    title: str | None
    year: int | None
    agency: str | None
    agency_full: str | None
    is_report: bool
    warnings: list[str]


def find_title(text: str, hints: dict[str, str]) -> str | None:
    """The document's title, from the most to the least trusted source:
    the page's ArticleTitle; a page or file title naming a year's report; the first lines that
    read as a report title (with a year first, so a breadcrumb "政府信息公开年报" loses); the
    page or file title whatever it says."""
    if hints.get("title"):
        return _clean_title(hints["title"])
    for key in ("doc_title", "page_title"):
        title = _clean_title(hints.get(key, ""))
        if _TITLE_END.search(squash(title)) and _title_year(title):
            return title
    lines = _leading_lines(text)
    # Titles are often broken over lines ("2024年前进区人民政府" / "政府信息公开工作年度报告"):
    # a single line is preferred to a join, so a breadcrumb above the title is never glued on,
    # except the agency's own name above a title that names none ("前进区人民政府" /
    # "2024年政府信息公开工作年度报告").
    for need_year, width in itertools.product((True, False), (1, 2, 3)):
        for i in range(len(lines)):
            candidate = "".join(lines[i : i + width])
            if (
                len(candidate) <= 80
                and _TITLE_END.search(squash(candidate))
                and _starts_title(lines, i)
                and (_title_year(candidate) or not need_year)
            ):
                if i > 0 and _title_agency(candidate) is None and _names_agency(lines[i - 1]):
                    candidate = lines[i - 1] + candidate
                return _clean_title(candidate)
    for key in ("doc_title", "page_title"):
        if hints.get(key):
            return _clean_title(hints[key])
    return None


def _leading_lines(text: str) -> list[str]:
    """The document's first non-blank lines, a spreadsheet row's empty cells dropped
    ("前进区人民政府 |  |  | " reads "前进区人民政府")."""
    lines = (_EMPTY_CELLS.sub("", line).strip() for line in text.splitlines())
    return list(itertools.islice(filter(None, lines), 40))  # the rest of the text is never cleaned


def _names_agency(line: str) -> bool:
    """A line that is an agency's name alone (the first line of a title on two lines)."""
    key = squash(line)
    return (
        2 <= len(key) <= 30
        and not re.search(r"[。；，:：>/|]|首页|位置|年", key)
        and bool(_AGENCY_SUFFIX.search(key) or _PLACE_SUFFIX.search(key))
    )


def _starts_title(lines: list[str], i: int) -> bool:
    """A title line is short and not a sentence of the preamble citing the report by name."""
    return len(lines[i]) <= 60 and not re.search(r"[。；，]|根据|现发布|本报告", lines[i])


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    # Page titles carry the site name: "…年度报告_佳木斯市前进区人民政府" or "… - XX政府网".
    title = re.split(r"\s*[_|｜]\s*|\s+-\s+", title)[0]
    return title.strip("《》 ")


def find_year(title: str | None, text: str) -> tuple[int | None, list[str]]:
    warnings: list[str] = []
    title_year = _title_year(title)
    period = _PERIOD_RE.search(squash(arabic_years(text[:5000])))
    period_year = int(period.group(1)) if period else None
    if title_year and period_year and title_year != period_year:
        warnings.append(f"year_mismatch: title says {title_year}, statistics period says {period_year}")
    year = title_year or period_year
    if year is None:
        body = Counter(int(y) for y in re.findall(_YEAR, squash(text[:3000])))
        if body:
            year = body.most_common(1)[0][0]
            warnings.append("year_from_body: no year in the title or statistics period")
    return year, warnings


_CN_DIGITS = str.maketrans("〇零○Ｏ一二三四五六七八九", "0000123456789")


def arabic_years(text: str) -> str:
    """'二〇二四年' -> '2024年' (titles and dates written in Chinese numerals)."""
    return re.sub(
        r"[〇零○Ｏ一二三四五六七八九]{4}(?=\s*年)", lambda m: m.group(0).translate(_CN_DIGITS), text
    )


def _title_year(title: str | None) -> int | None:
    if not title:
        return None
    flat = squash(arabic_years(title))
    # A title that lost its 年 ("…2017政府信息公开工作年度报告") still names the year.
    match = re.search(_YEAR, flat) or re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", flat)
    return int(match.group(1)) if match else None


def find_agency(title: str | None, text: str) -> tuple[str | None, str | None]:
    """(agency as the title names it, completed from the body; the fullest form the document gives)."""
    agency = _title_agency(title)
    flat = nfkc(text)
    if agency and not _AGENCY_SUFFIX.search(agency) and _PLACE_SUFFIX.search(agency):
        agency = _complete_place(agency, flat) or agency
    if not agency:
        return None, None
    return agency, _fullest(agency, flat)


def _title_agency(title: str | None) -> str | None:
    if not title:
        return None
    match = _TITLE_RE.search(squash(arabic_years(title)))
    if not match:
        return None
    for part in (match.group("pre"), match.group("post")):
        part = re.sub(r"^关于|关于$", "", part).strip('《》"“”()（）')
        if len(part) >= 2:
            return part
    return None


def _complete_place(place: str, text: str) -> str | None:
    """'临江区' in the title -> the '临江区人民政府' the body names most often.

    Only a name the document prints: a short '临江区政府' counts for '临江区人民政府' where that is
    printed too, and is kept as printed where it is not. '某某区政府信息公开…' is 政府信息公开, not
    an agency; a zone run by a 管委会 is completed with the committee's name.
    """
    names = Counter(m.group(0) for m in re.finditer(re.escape(place) + _PLACE_AGENCY, text))
    if not names:
        return None
    short, full = f"{place}政府", f"{place}人民政府"
    # The full name printed anywhere (also inside 人民政府办公室) makes the prose's short 政府 its own.
    if short in names and any(name.startswith(full) for name in names):
        names[full] += names.pop(short)
    return names.most_common(1)[0][0]


def _fullest(agency: str, text: str) -> str:
    """The longest form '<places><agency>' in the text (佳木斯市前进区人民政府 for 前进区人民政府).

    A title's short 政府 matches the body's 人民政府 (安定区政府办公室 -> 定西市安定区人民政府办公室).
    """
    pattern = re.escape(agency)
    if "人民政府" not in agency:
        pattern = pattern.replace("政府", "(?:人民)?政府")
    # "县发展和改革局": the title drops the place name but keeps its level word.
    level_word = agency[0] if agency[0] in "省市县区州旗" else ""
    best = agency
    for match in re.finditer(pattern, text):
        prefix = ""
        i = match.start() - 1
        while i >= 0 and match.start() - i <= 24 and text[i] not in _PROSE_BREAK:
            prefix = text[i] + prefix
            i -= 1
        prefix = _PROSE_VERBS.split(prefix)[-1]
        # Drop leading characters until what remains is a run of place names.
        for cut in range(len(prefix) + 1):
            candidate = prefix[cut:] + match.group(0)
            places = prefix[cut:]
            if (not places or _PREFIX_PLACE.match(places + level_word)) and not agency.startswith(
                places or "\0"
            ):
                if len(candidate) > len(best):
                    best = candidate
                break
    return best


def _unit_line(text: str) -> str | None:
    for line in _leading_lines(text):
        if match := _UNIT_LINE.match(squash(line)):
            return match.group("name")
    return None


def is_report(title: str | None, has_tables: bool) -> bool:
    """A report names itself so in its title; without a telling title, its tables decide."""
    key = squash(title or "")
    if _NOT_REPORT_TITLE.search(key):
        return False  # 文字解读…年度报告, …年度报告说明, 关于做好…年度报告的通知, 部门决算
    if _REPORT_PHRASE.search(key):
        return True
    return has_tables


def read_metadata(text: str, hints: dict[str, str], has_tables: bool) -> DocumentMetadata:
    title = find_title(text, hints)
    year, warnings = find_year(title, text)
    agency, agency_full = find_agency(title, text)
    if agency is None and (unit := _unit_line(text)):
        agency, agency_full = unit, _fullest(unit, nfkc(text))
        warnings.append("agency_from_unit_row: the title names no agency; a 填报单位 row does")
    if agency is None and hints.get("publisher"):
        agency = agency_full = hints["publisher"]
        warnings.append("agency_from_metadata: the title names no agency")
    return DocumentMetadata(title, year, agency, agency_full, is_report(title, has_tables), warnings)
