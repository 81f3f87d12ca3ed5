"""The datasets' schema: one declaration per column, from which the Parquet files, the types every
reader sees (pyarrow, pandas, DuckDB, polars), the Frictionless datapackage.json and
docs/codebook.md are all generated (so they cannot disagree).

`year` is the one hive partition key: it lives in the directory name (``year=2024``), not in the
files, because pyarrow and pandas refuse a dataset whose files repeat a partition column. The
files carry pandas metadata so that `pd.read_parquet` gives `year` (and every integer) as a
nullable integer rather than the category pyarrow infers for directory keys.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

import pyarrow as pa

from pipeline.agency import AGENCY_TYPES
from pipeline.crawl.items import KIND_ATTACHMENT, KIND_PAGE
from pipeline.report import (
    KIND_EMPTY,
    KIND_MISSING,
    KIND_NOT_APPLICABLE,
    KIND_NUMBER,
    KIND_TEXT,
    STATUS_FAILED,
    STATUS_NOT_REPORT,
    STATUS_OK,
    STATUS_PARTIAL,
)
from pipeline.templates.registry import rule_codes, section_codes, template_codes

SCHEMA_VERSION = "2"  # 2: one file per (table, year), plain strings, pandas types
UNKNOWN_YEAR = 0  # partition of documents whose report year could not be read

ROLE_PRIMARY = "primary"
ROLE_DUPLICATE = "duplicate"
ROLE_SUPERSEDED = "superseded"

# Codes are plain strings to every reader (a comparison or a sort on them is natural); Parquet
# dictionary-encodes them on disk, which keeps the files small. Large strings (64-bit offsets) are
# what pandas' string dtype holds: with them pandas takes the columns as they are, where it would
# copy every string column of a 3-million-row table (0.7 s a year) to convert 32-bit offsets.
CODE = pa.large_string()
TEXT = pa.large_string()
INT = pa.int64()
FLOAT = pa.float64()
BOOL = pa.bool_()
DATE = pa.date32()
TIMESTAMP = pa.timestamp("us", tz="UTC")
TEXT_LIST = pa.list_(pa.string())


@dataclass(frozen=True)
class ReaderTypes:
    """How one Arrow type appears to each reader researchers use (the data contract, tested)."""

    frictionless: str
    pandas: str  # str(DataFrame.dtypes[column]) after pd.read_parquet(<table folder>)
    duckdb: str  # typeof(column) in DuckDB
    polars: str  # str(polars schema dtype)


# Integers, booleans and dates are pyarrow-backed in pandas: nullable, and for `year` the only way
# pandas turns a directory key into an integer (pandas.ArrowDtype casts pyarrow's dictionary).
READER_TYPES: dict[pa.DataType, ReaderTypes] = {
    TEXT: ReaderTypes("string", "str", "VARCHAR", "String"),
    INT: ReaderTypes("integer", "int64[pyarrow]", "BIGINT", "Int64"),
    FLOAT: ReaderTypes("number", "float64", "DOUBLE", "Float64"),
    BOOL: ReaderTypes("boolean", "bool[pyarrow]", "BOOLEAN", "Boolean"),
    DATE: ReaderTypes("date", "date32[day][pyarrow]", "DATE", "Date"),
    TIMESTAMP: ReaderTypes(
        "datetime",
        "datetime64[us, UTC]",
        "TIMESTAMP WITH TIME ZONE",
        "Datetime(time_unit='us', time_zone='UTC')",
    ),
    TEXT_LIST: ReaderTypes("array", "object", "VARCHAR[]", "List(String)"),
}


@dataclass(frozen=True)
class Code:
    value: str
    en: str
    zh: str


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    en: str
    zh: str
    codes: tuple[Code, ...] = ()
    required: bool = False  # never null
    partition: bool = False  # a hive directory key, not stored in the files

    @property
    def readers(self) -> ReaderTypes:
        return READER_TYPES[self.type]


@dataclass(frozen=True)
class TableSpec:
    name: str
    en: str
    zh: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    # Row order in a file after agency_id: rows of one agency sit together (row-group statistics
    # on agency_id let a filter skip the rest); a stable sort keeps the template's cell order.
    order: tuple[str, ...]

    @property
    def file_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.partition)

    @property
    def partition_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.partition)

    @cached_property
    def schema(self) -> pa.Schema:
        """Every column as a reader sees it: the files' columns, then the partition key `year`
        (where pyarrow, pandas, polars and DuckDB put a hive key)."""
        return pa.schema([_field(c) for c in (*self.file_columns, *self.partition_columns)])

    @cached_property
    def file_schema(self) -> pa.Schema:
        """The exact Arrow schema of every file of this table, with the pandas metadata that
        makes pandas read each column with the type of `Column.readers.pandas`."""
        pandas = {
            "index_columns": [],
            "column_indexes": [],
            "columns": [
                {
                    "name": c.name,
                    "field_name": c.name,
                    "pandas_type": c.readers.pandas,
                    "numpy_type": c.readers.pandas,
                    "metadata": None,
                }
                for c in self.columns
                if c.readers.pandas.endswith("[pyarrow]")
            ],
            "creator": {"library": "nianbao", "version": SCHEMA_VERSION},
        }
        fields = [_field(c) for c in self.file_columns]
        return pa.schema(fields, metadata={b"pandas": json.dumps(pandas).encode("utf-8")})

    @property
    def sort_key(self) -> list[tuple[str, str]]:
        return [("agency_id", "ascending"), *((name, "ascending") for name in self.order)]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _field(column: Column) -> pa.Field:
    return pa.field(column.name, column.type, nullable=not column.required)


STATUS_CODES = (
    Code(STATUS_OK, "a report, every cell of its template found", "年报，模板全部单元格均已读出"),
    Code(STATUS_PARTIAL, "a report, some cells or tables not found", "年报，部分单元格或表格未读出"),
    Code(STATUS_NOT_REPORT, "a document that is not an annual report", "不是年报的文件"),
    Code(STATUS_FAILED, "the bytes could not be read (see error)", "文件无法读取（见 error）"),
)
KIND_CODES = (
    Code(KIND_NUMBER, "a number", "数字"),
    Code(KIND_EMPTY, "published blank", "空白"),
    Code(KIND_NOT_APPLICABLE, "published as not applicable (/, —, 不适用, 无 …)", "不适用（/、—、无等）"),
    Code(KIND_TEXT, "text that is not a number", "非数字文字"),
    Code(KIND_MISSING, "the cell was not found in the document", "文件中未找到该单元格"),
)
ROLE_CODES = (
    Code(ROLE_PRIMARY, "the document the report's data come from", "报告数据所取自的文件"),
    Code(
        ROLE_DUPLICATE,
        "the same report in another document (e.g. the DOCX of a page)",
        "同一报告的其他文件（如网页的 DOCX 附件）",
    ),
    Code(
        ROLE_SUPERSEDED,
        "an earlier version replaced by a corrected re-publication",
        "被更正重发版本取代的旧版本",
    ),
)
TEMPLATE_CODES = tuple(Code(c.code, c.description, c.description_zh) for c in template_codes())
SCOPE_CODES = (
    Code("agency", "the agency's own work", "本机关"),
    Code("region_aggregate", "a government's report covering its whole region", "本地区汇总"),
)
METHOD_CODES = (
    Code("text", "read from born-digital text", "从电子文本读取"),
    Code("ocr", "read by OCR from an image", "经 OCR 识别"),
)
RULE_CODES = tuple(Code(c.code, c.description, c.description_zh) for c in rule_codes())
UNIT_CODES = (
    Code("count", "a count (件, 个, 人次 …)", "数量"),
    Code("cny_10k", "10,000 yuan (万元); values are decimals", "万元，可为小数"),
    Code(
        "as published (元 or 万元)",
        "2019 procurement amount, unit as published",
        "2019 年政府集中采购金额，单位照录",
    ),
)

_AGENCY_TYPE_TEXT = {
    "gov": ("a people's government (人民政府)", "人民政府"),
    "gov_office": ("a government's general office (办公室/办公厅)", "政府办公室（厅）"),
    "dept": ("a department or bureau of a government", "政府工作部门"),
    "street": ("a sub-district office (街道办事处)", "街道办事处"),
    "town": ("a town government (镇)", "镇人民政府"),
    "township": ("a township government (乡, 民族乡, 苏木)", "乡人民政府"),
    "dev_zone": ("a development zone committee (开发区/高新区管委会)", "开发区管委会"),
    "ministry": ("a State Council ministry or agency", "国务院部门"),
    "other": ("any other publisher, or not identified", "其他或未识别"),
}
AGENCY_TYPE_CODES = tuple(Code(t, *_AGENCY_TYPE_TEXT[t]) for t in AGENCY_TYPES)
LEVEL_CODES = (
    Code("national", "central government", "中央"),
    Code("province", "province-level division", "省级"),
    Code("city", "prefecture-level division", "地级"),
    Code("county", "county-level division", "县级"),
    Code("township", "street, town or township", "乡级"),
)

# The tables of the template that `facts.section` codes (items and columns: see cells.csv).
SECTION_CODES = tuple(Code(c.code, c.description, c.description_zh) for c in section_codes())

_YEAR = Column(
    "year",
    INT,
    "report (statistics) year; the hive partition key (directory year=YYYY), an integer to every reader",
    "报告（统计）年度；分区目录 year=YYYY",
    required=True,
    partition=True,
)
_AGENCY_ID = Column(
    "agency_id",
    CODE,
    "stable ASCII agency key across years (pipeline.agency); files are sorted by it",
    "机关稳定编码（跨年不变，ASCII）；文件按其排序",
    required=True,
)
_REPORT_ID = Column("report_id", CODE, "report key: AGENCY_ID-YEAR", "报告编码：机关编码-年度", required=True)
_TEMPLATE = Column("template", CODE, "template era of the tables", "表格模板版本", TEMPLATE_CODES)
_SOURCE_FORMAT = Column(
    "source_format",
    CODE,
    "format read from the bytes (html, docx, xlsx, pdf, text …)",
    "文件格式（按内容识别）",
)
_CHECKS_FAILED = Column(
    "checks_failed", TEXT_LIST, "names of the rules that failed", "未通过的校验规则", RULE_CODES
)
_AGENCY_EVIDENCE = (
    Column("raw_names", TEXT_LIST, "agency names as found in the documents", "文件中出现的机关名称"),
    Column("org_code", TEXT, "organisation code found in 索引号", "索引号中的组织机构代码"),
    Column("uscc", TEXT, "unified social credit code found in 索引号", "索引号中的统一社会信用代码"),
    Column("site_id_code", TEXT, "the site's SiteIDCode (网站标识码)", "网站标识码 SiteIDCode"),
    Column(
        "agency_resolved",
        BOOL,
        "the agency was identified (false: fallback id)",
        "机关已识别（否：备用编码）",
    ),
    Column("agency_warnings", TEXT_LIST, "why the agency identity is uncertain", "机关识别警告"),
)
_PARSER_VERSION = Column("parser_version", CODE, "version of the parser that read the document", "解析器版本")

REPORTS = TableSpec(
    "reports",
    "one row per report (agency × year), taken from its primary document",
    "每份年报一行（机关×年度），取自主文件",
    (
        _REPORT_ID,
        _YEAR,
        _AGENCY_ID,
        Column("agency_name", TEXT, "agency name (canonical)", "机关名称（规范）"),
        Column("agency_type", CODE, "kind of agency", "机关类型", AGENCY_TYPE_CODES),
        Column("scope", CODE, "what the report covers", "报告范围", SCOPE_CODES),
        Column("region_code", CODE, "GB/T 2260 division code", "行政区划代码（GB/T 2260）"),
        Column(
            "region_name",
            TEXT,
            "division names, province/city/county (黑龙江省/佳木斯市/前进区)",
            "行政区划名称（省/市/县）",
        ),
        Column("level", CODE, "administrative level of the agency", "行政层级", LEVEL_CODES),
        Column("title", TEXT, "title of the report", "报告标题"),
        Column("url", TEXT, "URL of the primary document", "主文件网址"),
        Column(
            "page_url", TEXT, "the page it was published on (the link page of an attachment)", "发布页面网址"
        ),
        Column("published_date", DATE, "publication date given by the site", "网站发布日期"),
        Column(
            "fetched_at", TIMESTAMP, "first fetch of the primary document (UTC)", "主文件首次抓取时间（UTC）"
        ),
        _SOURCE_FORMAT,
        _TEMPLATE,
        Column("status", CODE, "parse status of the primary document", "主文件解析状态", STATUS_CODES, True),
        Column(
            "n_facts",
            INT,
            "cells of the template (rows in facts)",
            "模板单元格数（facts 行数）",
            required=True,
        ),
        Column("n_missing", INT, "cells not found in the document", "未找到的单元格数", required=True),
        _CHECKS_FAILED,
        Column("n_documents", INT, "documents carrying this report", "承载本报告的文件数", required=True),
        Column(
            "content_sha256",
            TEXT,
            "sha256 of the primary document's bytes",
            "主文件内容 sha256",
            required=True,
        ),
        Column(
            "source_sha256",
            TEXT_LIST,
            "sha256 of every document of the report, primary first",
            "本报告全部文件的 sha256（主文件在前）",
        ),
        Column(
            "raw_path",
            TEXT,
            "archived bytes of the primary document, under the output folder",
            "原件存档路径",
        ),
        Column("text_path", TEXT, "plain-text copy for grep, under the output folder", "纯文本存档路径"),
        _PARSER_VERSION,
        *_AGENCY_EVIDENCE,
        Column("warnings", TEXT_LIST, "parser warnings for the primary document", "解析警告"),
    ),
    ("report_id",),
    ("report_id",),
)

FACTS = TableSpec(
    "facts",
    "one row per template cell of each report (200 for the 2021 template)",
    "每份年报的每个模板单元格一行（2021 版 200 个）",
    (
        _REPORT_ID,
        _YEAR,
        _AGENCY_ID,
        _TEMPLATE,
        Column("section", CODE, "table of the template", "模板表格", SECTION_CODES, True),
        Column("item", CODE, "row of the table (see cell codes)", "表格行（见单元格编码）", required=True),
        Column(
            "column", CODE, "column of the table (see cell codes)", "表格列（见单元格编码）", required=True
        ),
        Column(
            "value",
            FLOAT,
            "the number as published, in `unit`; float64 because fees are decimals; "
            "null when blank, not applicable, text or missing (see kind)",
            "公布的数值（单位见 unit）；因收费为小数故为浮点；空白/不适用/缺失时为空",
        ),
        Column("unit", CODE, "unit of value", "计量单位", UNIT_CODES),
        Column("kind", CODE, "what the cell held as published", "单元格公布内容类型", KIND_CODES, True),
        Column("raw_value", TEXT, "the cell's text exactly as published (for audit)", "单元格原文"),
        Column("raw_label", TEXT, "the row label as published", "行标签原文"),
        Column(
            "imputed_value",
            FLOAT,
            "a value proved by the template's sums for a blank cell (never replaces value)",
            "由勾稽关系推出的空白单元格数值（不替代 value）",
        ),
        Column("imputed_reason", TEXT, "the rule that proved imputed_value", "推算依据"),
        Column("method", CODE, "how the cell was read", "读取方式", METHOD_CODES),
        Column("confidence", FLOAT, "OCR confidence (0–1), null for text", "OCR 置信度（0–1）"),
    ),
    ("report_id", "section", "item", "column"),
    ("report_id",),
)

CHECKS = TableSpec(
    "checks",
    "one row per evaluated rule scope per report (勾稽关系); a rule is skipped when a cell is unknown",
    "每份年报每条勾稽规则（按行/列）一行；单元格未知时不评估",
    (
        _REPORT_ID,
        _YEAR,
        _AGENCY_ID,
        Column("rule", CODE, "the template rule", "校验规则", RULE_CODES, True),
        Column(
            "scope", CODE, "row, column or item the rule was applied to (e.g. column:total)", "适用的行/列"
        ),
        Column("ok", BOOL, "the published numbers satisfy the rule", "是否通过", required=True),
        Column("expected", FLOAT, "left side of the rule (a total)", "规则左侧（合计）"),
        Column("actual", FLOAT, "right side of the rule (the sum of its parts)", "规则右侧（分项之和）"),
        Column("detail", TEXT, "the arithmetic, readable", "算式说明"),
    ),
    ("report_id", "rule", "scope"),
    ("report_id",),
)

DOCUMENTS = TableSpec(
    "documents",
    "every fetched document (URL × content), whether or not it parsed or is a report",
    "抓取到的每个文件（网址×内容），无论能否解析、是否年报",
    (
        Column("document_id", TEXT, "key: hash of url and content_sha256", "文件编码", required=True),
        Column(
            "year",
            INT,
            "report year of the document; 0 when unknown (hive partition key)",
            "报告年度；未知为 0（分区目录）",
            required=True,
            partition=True,
        ),
        _AGENCY_ID,
        Column("report_id", CODE, "report the document belongs to; null if none", "所属报告编码"),
        Column("role", CODE, "role in its report; null if none", "在报告中的角色", ROLE_CODES),
        Column("url", TEXT, "URL fetched", "网址", required=True),
        Column("parent_url", TEXT, "page an attachment was linked from", "附件所在页面"),
        Column(
            "kind",
            CODE,
            "page or attachment",
            "页面或附件",
            (Code(KIND_PAGE, "a detail page", "详情页"), Code(KIND_ATTACHMENT, "a linked file", "附件")),
        ),
        Column("content_sha256", TEXT, "sha256 of the bytes", "内容 sha256", required=True),
        Column("raw_path", TEXT, "archived bytes, under the output folder", "原件存档路径"),
        Column("http_status", INT, "HTTP status", "HTTP 状态码"),
        Column("content_type", CODE, "Content-Type served", "服务器声明的类型"),
        Column("size", INT, "bytes", "字节数"),
        Column("filename", TEXT, "attachment file name", "附件文件名"),
        Column(
            "first_fetched_at", TIMESTAMP, "first fetch of this content at this URL (UTC)", "首次抓取时间"
        ),
        Column("last_fetched_at", TIMESTAMP, "last fetch of this content at this URL (UTC)", "最近抓取时间"),
        Column("n_fetches", INT, "times fetched", "抓取次数", required=True),
        Column("site_id", CODE, "registry entry of the site", "站点登记编码"),
        Column("registry_agency", TEXT, "publishing agency in the site registry", "站点登记的发布机关"),
        Column("registry_region_code", CODE, "region code in the site registry", "站点登记的区划代码"),
        Column("link_title", TEXT, "link text or page title", "链接文字或页面标题"),
        Column("published_date", DATE, "发布日期 given by the site", "发布日期"),
        Column("publisher", TEXT, "发布机构 / 来源", "发布机构/来源"),
        Column("index_no", TEXT, "索引号", "索引号"),
        Column("doc_number", TEXT, "文号", "文号"),
        Column("status", CODE, "parse status", "解析状态", STATUS_CODES, True),
        Column("error", TEXT, "why the document could not be read", "无法读取的原因"),
        _SOURCE_FORMAT,
        _TEMPLATE,
        Column("parsed_year", INT, "year read from the document", "文件中读出的年度"),
        Column("parsed_agency", TEXT, "agency read from the document", "文件中读出的机关"),
        Column("parsed_title", TEXT, "title read from the document", "文件中读出的标题"),
        Column("n_found", INT, "template cells found", "读出的单元格数"),
        _CHECKS_FAILED,
        Column("warnings", TEXT_LIST, "parser warnings", "解析警告"),
        *_AGENCY_EVIDENCE,
        _PARSER_VERSION,
    ),
    ("document_id",),
    ("document_id",),
)

# Checks across years (pipeline/datasets/panel_checks.py computes them; the doc explains each).
CHECK_CARRY_OVER = "carry_over"
CHECK_STOCK = "document_stock"
CHECK_TIMELINESS = "timeliness"
CHECK_REPETITION = "repetition"
PANEL_CHECK_CODES = (
    Code(
        CHECK_CARRY_OVER,
        "requests carried over into year t = requests carried forward out of year t−1, per applicant column",
        "本年上年结转申请数=上年结转下年度继续办理数（按申请人类别）",
    ),
    Code(
        CHECK_STOCK,
        "rules / normative documents in force in t = in force in t−1 + issued in t − repealed in t",
        "本年现行有效件数=上年现行有效件数+本年制发件数−本年废止件数",
    ),
    Code(
        CHECK_TIMELINESS,
        "days between the statutory deadline and the publication date (positive: late)",
        "发布日期与法定期限相差天数（正数为逾期）",
    ),
    Code(
        CHECK_REPETITION,
        "share of the report's sentences found in the agency's previous report",
        "与本机关上一份年报重复的句子占比",
    ),
)
PANEL_PASS, PANEL_FAIL, PANEL_NOT_EVALUATED = "pass", "fail", "not_evaluated"
PANEL_STATUS_CODES = (
    Code(PANEL_PASS, "the check holds", "通过"),
    Code(PANEL_FAIL, "the check fails (see detail)", "未通过（见 detail）"),
    Code(
        PANEL_NOT_EVALUATED,
        "an input is missing, blank or not comparable (see detail)",
        "无法评估（见 detail）",
    ),
)

PANEL_CHECKS = TableSpec(
    "panel_checks",
    "checks across years: each report (year t) against its agency's previous one; updated at every build",
    "跨年度校验：每个机关每个年度与上一年度报告比对；每次构建时更新",
    (
        _REPORT_ID,
        _YEAR,
        _AGENCY_ID,
        Column("check", CODE, "the check", "校验项", PANEL_CHECK_CODES, True),
        Column(
            "scope",
            CODE,
            "applicant column or item the check was applied to (column:natural_person, item:rules)",
            "适用的列或行",
        ),
        Column("status", CODE, "outcome", "结果", PANEL_STATUS_CODES, True),
        Column("previous_report_id", CODE, "the earlier report compared with", "比对的上一份报告编码"),
        Column(
            "expected",
            FLOAT,
            "what year t should show (carry-over, stock); the deadline as 0 days; the repetition limit",
            "应有值（结转、存量）；期限（0 天）；重复比例上限",
        ),
        Column(
            "actual",
            FLOAT,
            "what year t shows; days after the deadline (negative: early); the repeated share",
            "实际值；超过期限天数（负数为提前）；重复句子占比",
        ),
        Column("difference", FLOAT, "actual − expected", "实际值−应有值"),
        Column(
            "inputs",
            TEXT_LIST,
            "the cells, dates or texts the check read, with their values",
            "校验所用输入及其值",
        ),
        Column("detail", TEXT, "the arithmetic, or why the check was not evaluated", "算式说明或未评估原因"),
    ),
    ("report_id", "check", "scope"),
    ("report_id",),
)

TABLES: dict[str, TableSpec] = {t.name: t for t in (REPORTS, FACTS, CHECKS, DOCUMENTS, PANEL_CHECKS)}
# The tables made from each (year, agency) partition alone; panel_checks is made across years.
PARTITION_TABLES = (REPORTS.name, FACTS.name, CHECKS.name, DOCUMENTS.name)
