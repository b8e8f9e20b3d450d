"""The field table: each field of a dataset entry (and of a distribution) and what it is called
in every format citycat writes and reads back.

One row per field of ``datasets.yaml`` (the Table Schemas in ``schemas/catalogue/`` say what a
value may be; this table says where it goes):

    name      the key in datasets.yaml (``title.en``: the ``en`` of ``title``)
    ckan      CKAN: a key of the package (resource) dict, or ``extras:KEY`` for one of its extras
    dcat      the DCAT-AP 3 property the value is the object of (on dcat:Dataset / dcat:Distribution)
    datajson  the DCAT-US 1.1 (data.json) key (``contactPoint.fn``: ``fn`` of ``contactPoint``)
    column    the column of datasets.csv and datasets.xlsx: its header's key in site/i18n (the
              printable annex's columns and the others)
    aliases   other CKAN keys (or extras) that other portals use for the same thing, read on import
    text      ``"line"`` or ``"lines"`` for free text copied as it is (one line or several): the
              formats carry it unchanged, and an import cleans it as text of that shape

The feeds (``citycat.feeds.ckan``, ``tables``) map forward and the imports (``citycat.imports``)
map back from these rows, so a key is written once. A new field: a row here and its column in the
Table Schema (``schemas/catalogue/datasets.schema.json``); a rule about it goes to the checks.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str
    ckan: str = ""
    dcat: str = ""
    datajson: str = ""
    column: str = ""
    aliases: tuple[str, ...] = ()
    text: str = ""

    @property
    def extra(self) -> str:
        """The CKAN extras key, or "" for a field in CKAN's own keys."""
        return self.ckan.removeprefix("extras:") if self.ckan.startswith("extras:") else ""


# fmt: off
DATASET: tuple[Field, ...] = (
    Field("id", ckan="name", dcat="dct:identifier", datajson="identifier", column="col_id"),
    Field("ref", ckan="extras:ref", dcat="adms:identifier", column="reference_code"),
    Field("title.vi", ckan="title", dcat="dct:title", datajson="title", column="col_name", text="line"),
    Field("title.en", ckan="extras:title_en", dcat="dct:title", column="col_name", text="line"),
    Field("description.vi", ckan="notes", dcat="dct:description", datajson="description", column="col_content", text="lines"),
    Field("description.en", ckan="extras:notes_en", dcat="dct:description", column="col_content", text="lines"),
    Field("keywords.vi", ckan="tags", dcat="dcat:keyword", datajson="keyword", column="keywords"),
    Field("keywords.en", ckan="extras:tags_en", dcat="dcat:keyword", column="keywords"),
    Field("agency", ckan="organization", dcat="dct:publisher", datajson="publisher", column="col_agency"),
    Field("contact.name", ckan="maintainer", dcat="dcat:contactPoint", datajson="contactPoint.fn", column="contact", aliases=("author",), text="line"),
    Field("contact.email", ckan="maintainer_email", dcat="dcat:contactPoint", datajson="contactPoint.hasEmail", column="col_contact_email", aliases=("author_email",)),
    Field("themes", ckan="groups", dcat="dcat:theme", datajson="theme", column="themes"),
    Field("access", ckan="extras:access_level", dcat="dct:accessRights", datajson="accessLevel", column="col_access"),
    Field("data_class", ckan="extras:data_class", column="data_class"),
    Field("personal_data", ckan="extras:personal_data", dcat="dpv:hasPersonalData", datajson="personalData", column="personal_data"),
    Field("legal_basis", ckan="extras:legal_basis", dcat="dct:rights", datajson="rights", column="col_legal", text="lines"),
    Field("licence", ckan="license_id", dcat="dct:license", datajson="license", column="licence"),
    Field("frequency", ckan="extras:frequency", dcat="dct:accrualPeriodicity", datajson="accrualPeriodicity", column="col_frequency", aliases=("extras:update_frequency", "extras:accrual_periodicity", "extras:frequency_of_update")),
    Field("status", ckan="extras:status", column="col_status"),
    Field("due", ckan="extras:due_date", column="due"),
    Field("issued", ckan="extras:issued", dcat="dct:issued", datajson="issued", column="issued", aliases=("metadata_created",)),
    Field("modified", ckan="extras:modified", dcat="dct:modified", datajson="modified", column="modified", aliases=("metadata_modified",)),
    Field("spatial", ckan="extras:spatial_code", dcat="dct:spatial", datajson="spatial"),
    Field("temporal.start", ckan="extras:temporal_start", dcat="dct:temporal", datajson="temporal", column="col_temporal_start"),
    Field("temporal.end", ckan="extras:temporal_end", dcat="dct:temporal", datajson="temporal", column="col_temporal_end"),
    Field("schema", ckan="extras:schema", dcat="dct:conformsTo", datajson="describedBy", column="data_dictionary"),
    Field("landing_page", ckan="url", dcat="dcat:landingPage", datajson="landingPage"),
    Field("sharing.methods", ckan="extras:sharing_methods", column="col_methods"),
    Field("sharing.consumers", ckan="extras:consumers", column="consumers"),
)

DISTRIBUTION: tuple[Field, ...] = (
    Field("title.vi", ckan="name", dcat="dct:title", datajson="title", column="col_resource", text="line"),
    Field("title.en", ckan="name_en", dcat="dct:title", column="col_resource", text="line"),
    Field("description.vi", ckan="description", dcat="dct:description", datajson="description", text="lines"),
    Field("description.en", ckan="description_en", dcat="dct:description", text="lines"),
    Field("format", ckan="format", dcat="dct:format", datajson="format", column="format"),
    Field("media_type", ckan="mimetype", dcat="dcat:mediaType", datajson="mediaType", column="col_media_type"),
    Field("download_url", ckan="download_url", dcat="dcat:downloadURL", datajson="downloadURL", column="col_download_url", aliases=("url",)),
    Field("access_url", ckan="access_url", dcat="dcat:accessURL", datajson="accessURL", column="col_access_url", aliases=("url",)),
    Field("byte_size", ckan="size", dcat="dcat:byteSize", column="size"),
    Field("sample"),  # a local file of sample rows: shown on the page, in no feed
    Field("internal", ckan="internal"),
)
# fmt: on

_BY_NAME = {f.name: f for f in DATASET}


def dataset_field(name: str) -> Field:
    return _BY_NAME[name]


def ckan_extras() -> dict[str, str]:
    """Dataset field → its CKAN extras key, for the fields CKAN has no key of its own for."""
    return {f.name: f.extra for f in DATASET if f.extra}


def extra(name: str) -> str:
    """The CKAN extras key of a dataset field (``title.en`` → ``title_en``)."""
    return _BY_NAME[name].extra


def extra_aliases(name: str) -> tuple[str, ...]:
    """The extras keys a CKAN portal may hold a field in: citycat's own first, then the others'."""
    f = _BY_NAME[name]
    return (f.extra, *(a.removeprefix("extras:") for a in f.aliases if a.startswith("extras:")))


def by_column(key: str) -> Field:
    """The dataset field a column of datasets.csv / datasets.xlsx holds (one language's, for the
    columns of both)."""
    return next(f for f in DATASET if f.column == key)


def plain_texts(fmt: str) -> tuple[Field, ...]:
    """The free-text dataset fields that ``fmt`` ("ckan", "datajson", "column") holds as they
    are, under a key of their own, in no particular language: copied both ways unchanged."""
    return tuple(
        f
        for f in DATASET
        if f.text and getattr(f, fmt) and not f.name.endswith((".vi", ".en")) and "." not in getattr(f, fmt)
    )
