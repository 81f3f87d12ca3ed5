"""The report as a sequence of blocks (title, headings, prose, tables, signature), built once from
the ground truth and written out by every format.

Wording follows the seed report and the section structure of domain-notes §1.1; the prose
restates some table numbers as real reports do (rule 8). `quirks=False` gives the cleanest
document (canonical headings, no Word artifacts); `quirks=True` draws the artifacts of §6.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from .tables import Table, build_tables
from .truth import GroundTruth, result_items

TITLE = "title"
HEADING = "heading"  # 一、总体情况
SUBHEADING = "subheading"  # （一）主动公开
PARA = "para"
TABLE = "table"
SIGN = "sign"  # right-aligned signature line
PAGE_BREAK = "page_break"


@dataclass(frozen=True)
class Block:
    kind: str
    text: str = ""  # a title may hold "\n" between its printed lines
    table: Table | None = None
    bookmark: bool = False  # Word's hidden "_GoBack" bookmark at the start (quirk 15)


def default_rng(gt: GroundTruth) -> random.Random:
    """Deterministic rendering when no rng is given: seeded by the report's identity."""
    return random.Random(f"{gt.title}|{gt.agency_full}|{gt.published_date}")


def site_name(gt: GroundTruth) -> str:
    if gt.agency_kind == "ministry":
        return f"{gt.agency_full}门户网站"
    if gt.agency_kind == "zone":
        return f"{gt.place}门户网站"  # a 管委会 is no 人民政府
    return f"{gt.place}人民政府门户网站"


def who(gt: GroundTruth) -> str:
    """How the prose names the agency."""
    if gt.agency_kind == "gov":
        return f"{gt.place}政府"
    if gt.agency_kind == "zone":
        return gt.place
    return gt.agency


def chinese_date(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


def _n(gt: GroundTruth, section: str, item: str, column: str) -> int:
    return int(gt.values[(section, item, column)] or 0)


def _requests_sentence(gt: GroundTruth, rng: random.Random) -> str:
    y, w = gt.year, who(gt)

    def total(item: str) -> int:
        return _n(gt, "requests", item, "total")

    new, carried, forward = total("new_requests"), total("carried_over"), total("carried_forward")
    if new == 0 and carried == 0:
        return f"{y}年，{w}未收到政府信息公开申请，无上年结转申请。"
    groups = {"withheld": 0, "unavailable": 0, "not_processed": 0, "other": 0}
    for item in result_items(gt.template):
        for prefix in groups:
            if item.startswith(prefix):
                groups[prefix] += total(item)
    if forward == 0 and rng.random() < 0.4:
        return (
            "明确依申请公开工作程序，不断规范受理渠道、规范答复意见，不断提升政府信息公开事项办理效率及服务水平。"
            f"{y}年{w}收到依申请公开{new}个，全部及时答复。"
        )
    return (
        f"{y}年，{w}共收到政府信息公开申请{new}件，上年结转{carried}件。全年办结{total('results_total')}件，"
        f"其中予以公开{total('disclosed')}件，部分公开{total('partially_disclosed')}件，"
        f"不予公开{groups['withheld']}件，无法提供{groups['unavailable']}件，不予处理{groups['not_processed']}件，"
        f"其他处理{groups['other']}件；结转下年度继续办理{forward}件。"
    )


def _active_sentence(gt: GroundTruth, rng: random.Random) -> str:
    y, w, info = gt.year, who(gt), gt.info_items
    s = "active_disclosure"
    if gt.template == "2021":
        docs = (
            f"制发行政规范性文件{_n(gt, s, 'normative_documents', 'issued')}件，"
            f"废止{_n(gt, s, 'normative_documents', 'repealed')}件，"
            f"现行有效{_n(gt, s, 'normative_documents', 'in_force')}件"
        )
    else:
        docs = f"新制作规范性文件{_n(gt, s, 'normative_documents', 'newly_made')}件"
    if rng.random() < 0.5:
        web = rng.randint(0, info)
        return (
            f"{w}全年主动公开信息{info}条，其中规范性文件{_n(gt, s, 'normative_documents', _issued(gt))}个，"
            f"{site_name(gt)}公开{web}条，微信公众平台推送信息{info - web}条。"
        )
    return (
        f"{y}年，{w}通过政府网站、政务新媒体等渠道主动公开政府信息{info}条。{docs}；"
        f"公开行政许可决定{_n(gt, s, 'administrative_licensing', 'decisions')}件、"
        f"行政处罚决定{_n(gt, s, 'administrative_penalty', 'decisions')}件。"
    )


def _issued(gt: GroundTruth) -> str:
    return "issued" if gt.template == "2021" else "newly_made"


def _review_sentence(gt: GroundTruth) -> str:
    review = _n(gt, "review_litigation", "administrative_review", "total")
    suits = sum(
        _n(gt, "review_litigation", i, "total") for i in ("litigation_direct", "litigation_after_review")
    )
    if review == 0 and suits == 0:
        return "全年未发生因政府信息公开引起的行政复议、行政诉讼案件，未发生责任追究情况。"
    return f"全年因政府信息公开工作被申请行政复议{review}件，被提起行政诉讼{suits}件，未发生责任追究情况。"


_INTROS = (
    "{y}年，{self}认真贯彻落实国家和省市关于政府信息公开工作的安排部署，坚持“公开为常态，不公开为例外”的原则，"
    "积极推进决策、执行、管理、服务、结果公开和重点领域信息公开，进一步提升政务公开工作水平，提高政府工作的透明度。",
    "{y}年，{who}坚持以人民为中心的发展思想，全面贯彻落实《条例》，围绕中心工作不断深化政务公开，"
    "切实保障人民群众的知情权、参与权、表达权和监督权。",
    "{y}年，{who}严格落实《条例》各项要求，持续推进政府信息公开标准化规范化建设，政府信息公开工作取得新成效。",
)
_MANAGEMENT = (
    "落实保密审查、“三审三校”和备案制度，对发布内容进行严格审核，审核内容无误后再发布。常态化监测政府信息网站发布内容、"
    "运行情况，纠正错链、断链和内容混杂等问题，确保各类信息发布的安全、准确、有序。",
    "严格执行政府信息公开保密审查制度，坚持“先审查、后公开”和“一事一审”原则。动态调整主动公开基本目录，"
    "及时清理过时失效信息，全年未发生泄密事件。",
)
_PLATFORM = (
    "依托政府门户网站政府信息公开栏目集中发布主动公开的政府信息，保障法定主动公开政府信息集中统一、内容准确、"
    "更新及时、查阅检索下载便利。",
    "持续优化政府信息公开专栏栏目设置，加强政务新媒体管理，发挥政务微信、微博等平台的传播优势，"
    "拓宽信息公开渠道。",
)
_OVERSIGHT = (
    "严把公开内容，按照“谁公开、谁负责”的要求，建立健全政府信息公开监督保障机制，按时报送信息公开有关材料。",
    "将政府信息公开工作纳入年度目标责任考核，定期开展自查，加强业务培训，全年组织培训{k}次。",
)
_PROBLEMS = (
    "{self}在推进政府信息公开方面做了大量工作，取得了一定成绩，但也存在以下不足：一是依申请公开答复规范化水平有待提升；"
    "二是政策解读形式较为单一，图文解读、视频解读较少；三是业务培训频次较少，工作人员业务能力有待进一步提高。",
    "一是主动公开的深度和广度还不够，部分领域信息更新不够及时；二是政务新媒体互动回应能力有待加强。",
)
_IMPROVEMENTS = (
    "一是强化责任落实。加大日常监督管理力度，常态化开展自检自查，及时发现整改存在的问题。二是提升政策解读质量。"
    "综合采用政策问答、图解等方式，对政策开展多样化解读。三是充实政务公开工作力量，进一步加强业务培训。",
    "一是进一步规范依申请公开办理流程，严格按照法定时限和程序答复；二是加强重点领域信息公开，及时回应社会关切；"
    "三是加强政务公开队伍建设，提升工作人员业务水平。",
)


def _preamble(gt: GroundTruth, rng: random.Random, quirks: bool) -> str:
    y = gt.year
    if gt.template == "2021":
        bracket = "﹝2021﹞" if quirks and rng.random() < 0.15 else "〔2021〕"
        notice = (
            "《国务院办公厅政府信息与政务公开办公室关于印发<中华人民共和国政府信息公开工作年度报告格式>的通知》"
            f"（国办公开办函{bracket}30号）"
        )
    else:
        notice = (
            "《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知》"
            "（国办公开办函〔2019〕60号）"
        )
    period = f"本报告中所列数据的统计期限自{y}年1月1日至12月31日止。"
    if rng.random() < 0.6:
        return (
            f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和{notice}有关要求，"
            f"现发布《{gt.agency}{y}年政府信息公开工作年度报告》。{period}"
            f"本年度报告电子版可在{site_name(gt)}政务公开栏目下的政府信息公开年报里查阅下载，"
            f"有任何疑问，请致电{gt.office}{gt.phone}。"
        )
    compiler = f"{gt.agency_full}办公室" if gt.agency_kind in ("gov", "city_gov") else gt.agency_full
    return (
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）第五十条和{notice}要求，由{compiler}编制。"
        "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、"
        f"存在的主要问题及改进情况、其他需要报告的事项。{period}如对本报告有疑问，请与{gt.office}联系（电话：{gt.phone}）。"
    )


def _fees_sentence(gt: GroundTruth, rng: random.Random) -> str:
    if gt.year >= 2021 and rng.random() < 0.25:
        k = rng.randint(1, 3)
        return (
            "根据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），"
            f"{gt.year}年{who(gt)}共发出收费通知{k}件，收取信息处理费{k * rng.choice((100, 190, 380))}元。"
        )
    return f"本年度，{gt.self_ref}无收取政府信息公开信息处理费情况。"


def _spaced_digits(text: str) -> str:
    """Word's spaces around ASCII digits before units (quirk 20: "2020 年")."""
    return re.sub(r"(?<![\d.\-])(\d+)(?=[年月日件条个次])", r" \1 ", text)


def _title_text(gt: GroundTruth, rng: random.Random, quirks: bool) -> str:
    if gt.title_lines:
        return "\n".join(gt.title_lines)
    cut = gt.title.rfind("政府信息公开")
    if quirks and cut > 0 and rng.random() < 0.5:
        return f"{gt.title[:cut]}\n{gt.title[cut:]}"
    return gt.title


def _zone_intro(gt: GroundTruth) -> list[Block]:
    """A zone's report speaks of its 政府信息公开工作 right after the zone's name (issue 8, class 4)."""
    if gt.agency_kind != "zone":
        return []
    return [
        Block(PARA, f"{gt.year}年，{gt.place}政府信息公开工作以制度建设为基础，以平台建设为支撑，稳步推进。")
    ]


def build_document(gt: GroundTruth, rng: random.Random, *, quirks: bool) -> list[Block]:
    fmt = {"y": gt.year, "self": gt.self_ref, "who": who(gt), "k": rng.randint(1, 6)}
    spaced = quirks and rng.random() < 0.15

    def para(text: str, bookmark: bool = False) -> Block:
        text = text.format(**fmt) if "{" in text else text
        return Block(PARA, _spaced_digits(text) if spaced else text, bookmark=bookmark)

    def pick(pool: tuple[str, ...]) -> str:
        return rng.choice(pool)

    t2, t3, t4 = build_tables(gt, wrap=quirks and rng.random() < 0.7, rng=rng if quirks else None)
    h2 = "二、主动公开政府信息情况"
    if quirks and rng.random() < 0.1:
        h2 += " 该部分以表格形式报告。表格如下:"  # xjnlk (quirk 12)
    h4 = "四、政府信息公开行政复议、行政诉讼情况"
    if quirks and rng.random() < 0.3:
        h4 = "4、 政府信息公开行政复议、行政诉讼情况"  # Word auto-numbering in the seed (quirk 12)
    h5 = rng.choice(("五、存在的主要问题及改进情况", "五、政府信息公开工作存在的主要问题及改进情况"))
    if quirks and rng.random() < 0.15:
        h5 = "五、存在的主要问题及整改措施"  # 沭阳
    blocks = [
        Block(TITLE, _title_text(gt, rng, quirks)),
        para(_preamble(gt, rng, quirks)),
        Block(HEADING, "一、总体情况"),
        para(pick(_INTROS)),
        *_zone_intro(gt),
        Block(SUBHEADING, rng.choice(("（一）主动公开", "（一）主动公开信息", "（一）主动公开情况"))),
        para(_active_sentence(gt, rng)),
        Block(SUBHEADING, "（二）依申请公开"),
        para(_requests_sentence(gt, rng)),
        Block(SUBHEADING, "（三）政府信息管理"),
        para(pick(_MANAGEMENT)),
        Block(SUBHEADING, rng.choice(("（四）政府信息公开平台建设", "（四）平台建设"))),
        para(pick(_PLATFORM)),
        Block(SUBHEADING, "（五）监督保障"),
        para(pick(_OVERSIGHT) + _review_sentence(gt)),
        Block(HEADING, h2),
        Block(TABLE, table=t2),
        Block(HEADING, "三、收到和处理政府信息公开申请情况"),
    ]
    if quirks and rng.random() < 0.2:
        blocks.append(para(_requests_sentence(gt, rng)))  # prose between heading and table (quirk 11)
    blocks += [
        Block(TABLE, table=t3),
        Block(HEADING, h4),
        Block(TABLE, table=t4),
        Block(HEADING, h5),
        Block(SUBHEADING, "（一）存在的主要问题"),
        para(pick(_PROBLEMS)),
        Block(SUBHEADING, "（二）改进情况"),
        para(pick(_IMPROVEMENTS), bookmark=quirks and rng.random() < 0.5),
        Block(HEADING, "六、其他需要报告的事项"),
        para(_fees_sentence(gt, rng)),
    ]
    if rng.random() < 0.7:
        signer = gt.agency_full if rng.random() < 0.6 else gt.agency
        blocks += [Block(SIGN, signer), Block(SIGN, chinese_date(gt.published_date))]
    return blocks


def split_document_table(
    blocks: list[Block], section: str, split: Callable[[Table], list[Table]], *, page_breaks: bool
) -> list[Block]:
    """The document with table `section` published as several tables (on separate pages)."""
    out: list[Block] = []
    for b in blocks:
        if b.kind == TABLE and b.table is not None and b.table.section == section:
            for i, part in enumerate(split(b.table)):
                if i and page_breaks:
                    out.append(Block(PAGE_BREAK))
                out.append(Block(TABLE, table=part))
        else:
            out.append(b)
    return out
