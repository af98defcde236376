"""Documents in their output formats: HTML and Markdown from templates, PDF from the HTML through
WeasyPrint, DOCX with python-docx, XLSX with openpyxl. The heavy libraries are imported here,
inside the functions, so only the command that writes such a file pays for them."""
from __future__ import annotations

import io
from importlib import import_module

from .templating import render

INSTALL_HINT = "pip install 'kpi-engine[documents]'"
SOURCE_STYLE = "Policy Source"   # the DOCX paragraph style of the appendix's policy text (monospace)


def require(module: str, package: str):
    """Import a document library, or say which pip install brings it."""
    try:
        return import_module(module)
    except ImportError as error:
        from ..errors import KpiError
        raise KpiError(f"writing this format needs {package}, which is not installed ({error}); "
                       f"run: {INSTALL_HINT}") from None


def html_to_pdf(html: str) -> bytes:
    weasyprint = require("weasyprint", "weasyprint")
    return weasyprint.HTML(string=html).write_pdf()


# ---- the manual ------------------------------------------------------------------------------------

def manual_html(manual, env) -> str:
    source_style, source_html = highlighted_sources(manual)
    return render(env, "manual.html.j2", manual=manual, source_style=source_style, source_html=source_html)


def highlighted_sources(manual):
    """The appendix's policy texts as HTML highlighted by the `kpi` Pygments lexer, and the style
    rules for them (scoped to `.source`). Pygments is imported only when a manual is written as
    HTML or PDF."""
    from markupsafe import Markup
    from pygments import highlight
    from pygments.formatters import HtmlFormatter

    from ..highlight import KpiLexer

    formatter = HtmlFormatter(cssclass="source")
    return (Markup(formatter.get_style_defs(".source")),
            [Markup(highlight(source.text, KpiLexer(), formatter)) for source in manual.sources])


def manual_markdown(manual, env) -> str:
    return render(env, "manual.md.j2", manual=manual)


def manual_docx(manual) -> bytes:
    """A Word document people edit in Word or WPS: real headings (so the navigation pane and a
    table of contents field work), real tables, the CJK font set for East Asian text."""
    docx = require("docx", "python-docx")
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_BREAK
    from docx.oxml.ns import qn
    from docx.shared import Pt

    t = manual.titles
    document = docx.Document()
    for style in ("Normal", "Title", "Heading 1", "Heading 2"):
        fonts = document.styles[style].element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), "Noto Sans CJK SC")
    source_style = document.styles.add_style(SOURCE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    source_style.base_style = document.styles["Normal"]
    source_style.font.name, source_style.font.size = "Courier New", Pt(8)
    source_style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Noto Sans Mono CJK SC")
    document.add_paragraph(manual.title, style="Title")
    document.add_paragraph(f"{t['version']}: {manual.version}")
    document.add_paragraph(f"{t['effective']}: {manual.effective}")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def table(header, rows):
        grid = document.add_table(rows=1, cols=len(header), style="Table Grid")
        for cell, text in zip(grid.rows[0].cells, header):
            cell.text = str(text)
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for row in rows:
            for cell, text in zip(grid.add_row().cells, row):
                cell.text = str(text)
        return grid

    def bullets(sentences, style="List Bullet"):
        for sentence in sentences:
            document.add_paragraph(sentence, style=style)

    for key, number, title in manual.chapters:
        document.add_heading(f"{number}. {title}", level=1)
        if key == "general":
            for heading, text in manual.general:
                document.add_heading(heading, level=2)
                document.add_paragraph(text)
        elif key == "cycle":
            table(("", ""), manual.cycle)
        elif key == "system":
            for group in manual.groups:
                document.add_heading(f"{group.title} ({group.share})" if group.share else group.title, level=2)
                table(t["columns"], [(i.label, i.define, i.share, i.brief, i.source, i.period) for i in group.indicators])
            if manual.params:
                document.add_heading(t["params"], level=2)
                table(("", ""), manual.params)
            for special in manual.special:
                document.add_heading(f"{t['special']}: {special.title}", level=2)
                bullets(special.sentences)
        elif key == "standards":
            for item in manual.indicators:
                document.add_heading(f"{item.label} · {item.share}" if item.share else item.label, level=2)
                bullets([f"{item.label} {s}" for s in item.sentences], "List Number")
        elif key == "adjust":
            bullets(manual.adjustments + manual.vetoes)
        elif key == "results":
            for result in manual.results:
                document.add_heading(result.title, level=2)
                bullets(result.sentences)
        elif key == "schedule":
            table(("", ""), manual.schedule) if manual.schedule else document.add_paragraph("—")
        elif key == "appeal":
            document.add_paragraph(manual.appeal)
        elif key == "supplement":
            for heading, text in manual.supplements:
                document.add_heading(heading, level=2)
                document.add_paragraph(text)
        elif key == "appendix":
            table(t["card_head"], [("",) * len(t["card_head"])])
            document.add_paragraph()
            table(t["card"], [(i.label, i.share, "", "", "") for i in manual.indicators]
                  + [(label, "", "", "", "") for label in t["card_foot"]])
            document.add_paragraph()
            table(t["signatures"], [("",) * len(t["signatures"])])
        elif key == "source":
            for source in manual.sources:
                document.add_heading(source.title, level=2)
                document.add_paragraph(source.text.rstrip("\n"), style=SOURCE_STYLE)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def write_manual(manual, output: str, env, markdown_env) -> bytes:
    if output == "md":
        return manual_markdown(manual, markdown_env).encode("utf-8")
    if output == "docx":
        return manual_docx(manual)
    html = manual_html(manual, env)
    return html_to_pdf(html) if output == "pdf" else html.encode("utf-8")


# ---- the report ------------------------------------------------------------------------------------

def report_html(report, env) -> str:
    return render(env, "report.html.j2", report=report)


def report_xlsx(report) -> bytes:
    """One sheet per view, numbers as numbers with their formats, headers frozen; text that a
    spreadsheet would run as a formula (= + - @) is neutralised like in CSV."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    from .charts import _colour
    from .result import defuse_cell

    t = report.titles
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)

    def sheet(title, header, rows, formats=None, freeze="A2"):
        ws = book.create_sheet(title[:31])
        ws.append([defuse_cell(str(h)) for h in header])
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append([defuse_cell(v) if isinstance(v, str) else v for v in row])
        for column, number_format in (formats or {}).items():
            for (cell,) in ws.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.number_format = number_format
        for index, name in enumerate(header, 1):
            ws.column_dimensions[ws.cell(1, index).column_letter].width = max(10, min(28, len(str(name)) * 2 + 2))
        ws.freeze_panes = freeze
        return ws

    sheet(t["summary"], [t["summary"], ""], [(label, value) for label, value in report.summary]
          + [(grade, count) for grade, count in report.grades])
    scores = len(report.score_header) - 2
    sheet(t["scores"], report.score_header, report.score_rows,
          {column: "0.00" for column in range(3, 3 + scores) if _numeric(report.score_rows, column - 1)}, "C2")
    heat = sheet(t["heatmap"][:31], [t["name"], *report.heat_indicators],
                 [[name, *shares] for name, shares in zip(report.heat_people, report.heat)],
                 {column: "0%" for column in range(2, 2 + len(report.heat_indicators))}, "B2")
    for row in heat.iter_rows(min_row=2, min_col=2):
        for cell in row:
            if cell.value is not None:
                colour = _colour(cell.value).removeprefix("rgb(").removesuffix(")").split(",")
                fill = "".join(f"{int(c):02X}" for c in colour)
                cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
    sheet(t["lost"], [t["indicator"], t["lost"], t["cumulative"]],
          [(name, points, share / 100) for name, points, share in report.lost], {2: "0.00", 3: "0.0%"})
    sheet(t["rankings"], ["", t["place"], t["id"], t["name"], t["total"], report.grade_name or ""],
          [(ranking.group, *row) for ranking in report.rankings for row in ranking.rows], {5: "0.00"})
    sheet(t["actions"], [t["id"], t["name"], t["action"]], report.actions)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _numeric(rows, index: int) -> bool:
    from decimal import Decimal
    return any(isinstance(row[index], Decimal) for row in rows)


def write_report(report, output: str, env) -> bytes:
    if output == "xlsx":
        return report_xlsx(report)
    html = report_html(report, env)
    return html_to_pdf(html) if output == "pdf" else html.encode("utf-8")
