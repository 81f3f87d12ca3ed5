"""Pages that live next to the annual reports but are not reports (domain-notes §4.1): a
department's final accounts (with money tables), the 政府信息公开指南, and news items that
mention 年度报告. A crawler and a classifier must reject them."""

from __future__ import annotations

import random
from datetime import date, timedelta
from html import escape

from .html import PortalSite, canonical_table, charset_meta, portal_page
from .tables import DATA, Cell, Table
from .truth import random_agency

NOT_REPORT_KINDS = ("final_accounts", "guide", "news")


def _money(rng: random.Random, centre: float) -> str:
    return f"{centre * rng.lognormvariate(0, 0.6):.2f}"


def _final_accounts(agency: str, year: int, rng: random.Random) -> tuple[str, str]:
    title = f"{agency}{year}年度部门决算"
    income = [
        ("一、一般公共预算财政拨款收入", 1),
        ("二、政府性基金预算财政拨款收入", 2),
        ("三、事业收入", 4),
        ("四、其他收入", 8),
    ]
    spend = [
        ("一、一般公共服务支出", 30),
        ("二、社会保障和就业支出", 35),
        ("三、卫生健康支出", 36),
        ("四、城乡社区支出", 40),
    ]
    amounts = [_money(rng, 800) if i == 0 else _money(rng, 50) for i in range(len(income))]
    spent = [_money(rng, 300) for _ in spend]
    rows: list[tuple[Cell, ...]] = [
        (Cell("收入", colspan=3), Cell("支出", colspan=3)),
        (Cell("项目"), Cell("行次"), Cell("金额"), Cell("项目"), Cell("行次"), Cell("金额")),
    ]
    for (inc, line), amount, (out, out_line), out_amount in zip(income, amounts, spend, spent, strict=True):
        rows.append(
            (
                Cell(inc),
                Cell(str(line)),
                Cell(amount, kind=DATA),
                Cell(out),
                Cell(str(out_line)),
                Cell(out_amount, kind=DATA),
            )
        )
    summary = Table("决算", tuple(rows), ncols=6, widths=(4.5, 1, 2, 4.5, 1, 2))
    three = Table(
        "三公",
        (
            (Cell("合计"), Cell("因公出国（境）费"), Cell("公务用车购置及运行维护费"), Cell("公务接待费")),
            tuple(Cell(_money(rng, v), kind=DATA) for v in (6, 0.5, 4, 1.5)),
        ),
        ncols=4,
        widths=(3, 4, 5, 3),
    )
    total_in = sum(float(a) for a in amounts)
    body = "\n".join(
        (
            f"<h1>{escape(title)}</h1>",
            "<h2>第一部分 部门概况</h2>",
            "<p>一、主要职能</p><p>二、部门决算单位构成</p>",
            f"<h2>第二部分 {year}年度部门决算表</h2>",
            '<p>一、收入支出决算总表</p><p style="text-align:right">单位：万元</p>',
            canonical_table(summary),
            '<p>二、一般公共预算财政拨款“三公”经费支出决算表</p><p style="text-align:right">单位：万元</p>',
            canonical_table(three),
            f"<h2>第三部分 {year}年度部门决算情况说明</h2>",
            f"<p>{year}年度收入总计{total_in:.2f}万元。与上年相比，主要原因是人员调整和项目支出变化。</p>",
            "<h2>第四部分 名词解释</h2>",
            "<p>“三公”经费：指用一般公共预算财政拨款安排的因公出国（境）费、公务用车购置及运行维护费和公务接待费。</p>",
        )
    )
    return title, body


def _guide(agency: str, year: int, rng: random.Random) -> tuple[str, str]:
    title = f"{agency}政府信息公开指南"
    body = "\n".join(
        (
            f"<h1>{escape(title)}</h1>",
            f"<p>为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制{escape(agency)}政府信息公开指南。"
            f"本指南每年更新，最近更新于{year}年{rng.randint(1, 12)}月。</p>",
            "<h2>一、主动公开</h2>",
            "<p>（一）公开的主要内容。机构职能、规范性文件、规划计划、财政预决算、行政许可、行政处罚等信息。</p>",
            "<p>（二）公开方式。主要通过政府门户网站政府信息公开专栏公开，辅以政务新媒体、公告栏等方式。</p>",
            "<p>（三）公开时限。属于主动公开范围的政府信息，自形成或者变更之日起20个工作日内予以公开。</p>",
            "<h2>二、依申请公开</h2>",
            f"<p>（一）受理机构。{escape(agency)}办公室，办公时间：工作日上午8:30—12:00，下午13:30—17:00。</p>",
            "<p>（二）申请方式。申请人可通过当面、信函、网上申请等方式提出申请。</p>",
            "<p>（三）处理期限。能够当场答复的当场答复；不能当场答复的，自收到申请之日起20个工作日内予以答复。</p>",
            "<h2>三、收费标准</h2>",
            "<p>按照《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）执行。</p>",
            "<h2>四、年度报告</h2>",
            "<p>本机关每年1月31日前向社会公布本机关上一年度政府信息公开工作年度报告。</p>",
            "<h2>五、监督和救济</h2>",
            "<p>公民、法人或者其他组织认为本机关在政府信息公开工作中侵犯其合法权益的，可以依法申请行政复议或者提起行政诉讼。</p>",
        )
    )
    return title, body


def _news(agency: str, year: int, rng: random.Random) -> tuple[str, str]:
    title = rng.choice(
        (
            f"{agency}召开{year}年度政府信息公开工作年度报告编制工作部署会",
            f"{agency}组织开展{year}年政务公开业务培训",
            f"文字解读：{agency}{year}年政府信息公开工作年度报告",
        )
    )
    n = rng.randint(2, 60)
    body = "\n".join(
        (
            f"<h1>{escape(title)}</h1>",
            f"<p>近日，{escape(agency)}召开会议，部署{year}年度政府信息公开工作年度报告编制和发布工作。"
            f"会议要求，各单位要严格按照《中华人民共和国政府信息公开工作年度报告格式》编制年度报告，"
            f"确保数据准确、按时发布。据统计，{year}年共收到政府信息公开申请{n}件，均已依法答复。</p>",
            "<p>会议强调，要进一步提高思想认识，压实工作责任，持续提升政务公开质量和实效。</p>",
            f"<p>（来源：{escape(agency)}办公室）</p>",
        )
    )
    return title, body


def render_not_report(kind: str, rng: random.Random) -> tuple[str, bytes]:
    """(title, UTF-8 HTML page) of a page that is not an annual report."""
    builders = {"final_accounts": _final_accounts, "guide": _guide, "news": _news}
    if kind not in builders:
        raise ValueError(f"unknown kind {kind!r}; expected one of {NOT_REPORT_KINDS}")
    ag = random_agency(rng)
    year = rng.randint(2019, 2025)
    title, body = builders[kind](ag.full if rng.random() < 0.5 else ag.name, year, rng)
    published = date(year + 1, 1, 1) + timedelta(days=rng.randint(5, 200))
    column = {"final_accounts": "财政预决算", "guide": "政府信息公开指南", "news": "工作动态"}[kind]
    site = PortalSite(
        f"{ag.place or ag.full}人民政府" if ag.place else ag.full, ag.host, ag.site_id, ag.place
    )
    related = [
        (f"{ag.name}{y}年度部门预算", f"{y}-02-{rng.randint(1, 28):02d}") for y in range(year - 2, year + 1)
    ]
    page = portal_page(
        site,
        title=title,
        publisher=ag.full,
        pub_date=published.isoformat(),
        column=column,
        body=body,
        related=related,
        meta=charset_meta("utf-8"),
        rng=rng,
    )
    return title, page.encode("utf-8")
