"""The staff figures as an XLSX workbook; every text cell is made formula-safe."""

import io

from django.utils.translation import gettext as _

from civicdesk.core.templatetags.civic import local_name
from civicdesk.ledgers.spreadsheets import safe_cell


def _figures(metrics) -> list:
    def rate(value):
        return round(value, 4) if value is not None else ""

    return [
        metrics.records,
        round(metrics.average_visits, 2) if metrics.average_visits is not None else "",
        rate(metrics.at_most_one_share),
        rate(metrics.on_spot_rate),
        rate(metrics.online_share),
    ]


def metrics_workbook(*, start, end, total, unit_rows, item_rows) -> bytes:
    import openpyxl

    figures_header = [
        _("Records"),
        _("Average visits"),
        _("Share at most one visit"),
        _("On-site completion rate"),
        _("Online share"),
    ]
    workbook = openpyxl.Workbook(write_only=True)
    units = workbook.create_sheet(title=_("Units")[:31])
    units.append([safe_cell(_("Period")), safe_cell(f"{start:%Y-%m-%d} – {end:%Y-%m-%d}")])
    units.append([safe_cell(h) for h in [_("Unit"), *figures_header]])
    for unit, metrics in unit_rows:
        units.append([safe_cell(local_name(unit)), *_figures(metrics)])
    units.append([safe_cell(_("Total")), *_figures(total)])
    items = workbook.create_sheet(title=_("Service items")[:31])
    items.append(
        [
            safe_cell(h)
            for h in [_("Item code"), _("Service item"), *figures_header, _("Run at most once")]
        ]
    )
    for item, metrics, _source in item_rows:
        kept = metrics.once_kept
        items.append(
            [
                safe_cell(item.code),
                safe_cell(local_name(item)),
                *_figures(metrics),
                safe_cell("" if kept is None else (_("kept") if kept else _("not kept"))),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
