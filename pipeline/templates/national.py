"""What the 2019 and 2021 national templates share: tables 三 and 四, table 二's rows, their rules.

Both eras' tables 三 (requests) and 四 (review and litigation) have the same rows and columns,
except rows only one era's codebook has (the matcher keeps to the codebook). Their era modules
(era2019.py, era2021.py) add table 二's columns, the labels that tell them apart and their
descriptions.
"""

from __future__ import annotations

import re
from functools import cached_property

from pipeline.checks import Relation, SumGroup, impute_zeros, run_checks
from pipeline.codebook import APPLICANT_COLUMNS, REQUEST_COLUMNS, REVIEW_ITEMS, REVIEW_PARTS
from pipeline.grid import TableGrid
from pipeline.matcher import Key, MatchResult, Patterns, TableLabels, flattened_text_grid, match_grids
from pipeline.readers import Document
from pipeline.report import Check, Fact
from pipeline.templates.era import Code, TemplateEra

SECTIONS = (
    Code("active_disclosure", "table 二: proactive disclosure", "二、主动公开政府信息情况"),
    Code("requests", "table 三: requests received and handled", "三、收到和处理政府信息公开申请情况"),
    Code(
        "review_litigation",
        "table 四: administrative review and litigation",
        "四、政府信息公开行政复议、行政诉讼情况",
    ),
)
RULES = (
    Code(
        "requests_balance",
        "table 三: new + carried over = results total + carried forward",
        "三：一+二=三（七）+四",
    ),
    Code(
        "requests_results_total",
        "table 三: results total = sum of result rows (一)–(六)",
        "三：（七）总计=（一）至（六）之和",
    ),
    Code(
        "requests_applicant_total",
        "table 三: total column = sum of the six applicant columns",
        "三：总计列=六类申请人之和",
    ),
    Code(
        "review_litigation_total",
        "table 四: total = upheld + corrected + other + pending",
        "四：总计=维持+纠正+其他+尚未审结",
    ),
)

# Row labels, most specific first; matched on the last label cell of a row, then on the whole label.
REQUEST_ROWS: Patterns = (
    ("new_requests", r"本年新收|新收.*申请"),
    ("carried_over", r"上年结转"),
    ("carried_forward", r"结转下年|结转到下年|下年度继续办理"),
    ("partially_disclosed", r"部分公开"),
    ("disclosed", r"予以公开"),
    ("withheld_state_secret", r"国家秘密"),
    ("withheld_prohibited_by_law", r"禁止公开"),
    ("withheld_security_stability", r"三安全一稳定|国家安全|公共安全"),
    ("withheld_third_party", r"第三方"),
    ("withheld_internal_affairs", r"内部事务"),
    ("withheld_process_info", r"过程性"),
    ("withheld_enforcement_files", r"执法案卷"),
    ("withheld_inquiry_matter", r"查询事项"),
    ("unavailable_not_held", r"不掌握"),
    ("unavailable_needs_creation", r"另行制作"),
    ("unavailable_unclear", r"仍不明确|补正后"),
    ("not_processed_petition", r"信访|举报投诉"),
    ("not_processed_duplicate", r"重复申请"),
    ("not_processed_publication", r"出版物"),
    ("not_processed_excessive", r"大量反复"),
    ("not_processed_confirmation", r"重新出具|确认.*已获取"),
    ("other_no_correction", r"不补正"),
    ("other_unpaid_fee", r"缴纳费用|收费通知"),
    ("other_handling", r"^(\([六6]\))?其他处理$"),
    ("other_other", r"^(\d+\.?)?其他(情形)?$"),
    ("results_total", r"^(\([七7]\))?[总合]计$"),
)
ACTIVE_ROWS: Patterns = (
    ("normative_documents", r"规范性文件"),
    ("rules", r"规章"),
    ("administrative_licensing", r"行政许可"),
    ("other_management_services", r"其他对外管理服务"),
    ("administrative_penalty", r"行政处罚"),
    ("administrative_coercion", r"行政强制"),
    ("administrative_fees", r"事业性收费"),
    ("government_procurement", r"集中采购|政府采购"),
)
REQUEST_LEAVES: Patterns = (
    ("natural_person", r"^自然人$"),
    ("commercial_enterprise", r"^商业企业$"),
    ("research_institution", r"^科研机构$"),
    ("social_welfare_organization", r"^社会公益组织$"),
    ("legal_service_organization", r"^法律服务机构$"),
    ("other_organization", r"^其他(组织)?$"),
    ("total", r"^[总合]计$"),
)
REVIEW_GROUPS: Patterns = (
    ("litigation_after_review", r"复议后起诉"),
    ("litigation_direct", r"直接起诉|未经复议"),
    ("administrative_review", r"^行政复议$"),
)
REVIEW_LEAVES: Patterns = (
    ("upheld", r"维持"),
    ("corrected", r"纠正"),
    ("other", r"^(结果)?其他(结果)?$"),
    ("pending", r"审结"),
    ("total", r"^[总合]计$"),
)


def table_labels(active_columns: Patterns) -> TableLabels:
    """The labels of a national era's tables, given its table 二 columns."""
    return TableLabels(
        active_rows=ACTIVE_ROWS,
        active_columns=active_columns,
        request_rows=REQUEST_ROWS,
        request_leaves=REQUEST_LEAVES,
        request_groups=re.compile(r"^(法人或其他组织|法人和其他组织|申请人情况)$"),
        extra_leaf=re.compile(r"小计|合计$"),
        review_groups=REVIEW_GROUPS,
        review_leaves=REVIEW_LEAVES,
        review_markers=re.compile(r"行政复议|行政诉讼|维持|纠正|审结|起诉"),
        active_markers=re.compile(r"信息内容|第二十条"),
        request_heads=("自然人", "商业企业", "科研机构"),
        review_head="行政诉讼",
    )


class NationalEra(TemplateEra):
    """An era of the national three-table format (tables 二, 三, 四 and their sum rules)."""

    sections = SECTIONS
    rules = RULES
    labels: TableLabels

    def match(self, document: Document) -> MatchResult:
        """The document's grids, then its text for cells no grid gave (tables that lost markup)."""
        matched = self.match_grids(document.tables)
        if len(matched.cells) < len(self.codebook.cells):
            fallback = self.match_grids([flattened_text_grid(document.text)])
            for key, cell in fallback.cells.items():
                if key not in matched.cells:
                    cell.position = None  # a position in the text fallback, not in a document grid
                    matched.cells[key] = cell
        return matched

    def match_grids(self, grids: list[TableGrid]) -> MatchResult:
        return match_grids(grids, self.codebook, self.labels)

    def result_rows(self) -> list[str]:
        """The result rows of table 三 that add up to （七）总计: （一） through （六）."""
        items = self.codebook.items("requests")
        return items[items.index("disclosed") : items.index("results_total")]

    def sum_groups(self) -> list[SumGroup]:
        return self._sum_groups

    def relations(self) -> list[Relation]:
        return self._relations

    @cached_property
    def _sum_groups(self) -> list[SumGroup]:
        groups = [
            SumGroup(
                "requests_results_total",
                f"column:{column}",
                ("requests", "results_total", column),
                [("requests", row, column) for row in self.result_rows()],
            )
            for column in REQUEST_COLUMNS
        ]
        groups += [
            SumGroup(
                "requests_applicant_total",
                f"row:{item}",
                ("requests", item, "total"),
                [("requests", item, column) for column in APPLICANT_COLUMNS],
            )
            for item in self.codebook.items("requests")
        ]
        groups += [
            SumGroup(
                "review_litigation_total",
                f"item:{item}",
                ("review_litigation", item, "total"),
                [("review_litigation", item, part) for part in REVIEW_PARTS],
            )
            for item in REVIEW_ITEMS
        ]
        return groups

    @cached_property
    def _relations(self) -> list[Relation]:
        balance = [
            Relation(
                "requests_balance",
                f"column:{column}",
                [("requests", "new_requests", column), ("requests", "carried_over", column)],
                [("requests", "results_total", column), ("requests", "carried_forward", column)],
            )
            for column in REQUEST_COLUMNS
        ]
        return balance + [Relation(g.rule, g.scope, [g.total], g.parts) for g in self.sum_groups()]

    def check(self, facts: dict[Key, Fact]) -> list[Check]:
        impute_zeros(facts, self.sum_groups())
        checks, _undecided = run_checks(facts, self.relations())
        return checks
