"""`kpi manual` and `kpi report` in every format, for the conformance policies and the plugin
presets, read back the way a user's tools read them: pdftotext / pdftoppm, headless Chromium,
python-docx, openpyxl. Each document is rendered once per policy (module-scoped fixtures)."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from kpi_engine import ast
from kpi_engine.cli import cli, parse_settings, score_runs
from kpi_engine.compile.periods import parse_period
from kpi_engine.plugins import registry
from kpi_engine.project import generate_sample
from kpi_engine.render.formats import manual_docx, manual_html, manual_markdown, html_to_pdf, report_html, report_xlsx
from kpi_engine.render.manual import build_manual
from kpi_engine.render.report import build_report
from kpi_engine.render.templating import environment, markdown_environment, markdown_text

CASES = Path(__file__).resolve().parents[2] / "shared" / "conformance"
SETUP = "install it with scripts/setup-system (scripts/system-packages.txt lists it)"


def tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is missing: {SETUP}"
    return found


def scored_cases():
    """(name, policy file text, data folder or None, period, settings) for the conformance cases
    that score and for every preset (whose data the plugin's generator writes)."""
    found = []
    for case in sorted(CASES.glob("*/case.toml")) if CASES.is_dir() else []:
        spec = tomllib.loads(case.read_text(encoding="utf-8"))
        if spec.get("command") == "score":
            found.append((case.parent.name, case.parent / "policy.kpi", case.parent / "data", spec["period"], ()))
    for name, preset in sorted(registry().presets.items()):
        settings = tuple(f"{k}={v}" for k, v in preset.sample_params.items())
        found.append((name, preset, None, "2026-10", settings))
    return found


CASES_SCORED = scored_cases()
IDS = [c[0] for c in CASES_SCORED]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    return tmp_path_factory.mktemp("documents")


@pytest.fixture(scope="module", params=CASES_SCORED, ids=IDS)
def case(request, workspace):
    """The policy file, its checked policy, and the run of its period."""
    name, source, data, period, settings = request.param
    folder = workspace / name
    folder.mkdir()
    if isinstance(source, Path):
        policy_path = source
    else:   # a preset: its own file, data from its industry's generator
        policy_path = folder / "policy.kpi"
        policy_path.write_text(source.text, encoding="utf-8")
        data = generate_sample(folder, source.industry, parse_period(period), 8)
    (run,) = score_runs(str(policy_path), str(data), period, settings, None)
    return {"name": name, "path": policy_path, "text": policy_path.read_text(encoding="utf-8"),
            "settings": parse_settings(settings), "run": run, "folder": folder}


@pytest.fixture(scope="module")
def manuals(case):
    policy = case["run"].plan.policy
    found = {}
    for lang in ("zh", "en"):
        found[lang] = build_manual(policy, case["text"], lang, case["settings"])
    zh = found["zh"]
    html = manual_html(zh, environment())
    return {"model": zh, "en": found["en"], "html": html, "pdf": html_to_pdf(html),
            "md": manual_markdown(zh, markdown_environment()), "docx": manual_docx(zh),
            "en_md": manual_markdown(found["en"], markdown_environment())}


@pytest.fixture(scope="module")
def reports(case):
    report = build_report(case["run"], "zh")
    html = report_html(report, environment())
    return {"model": report, "html": html, "pdf": html_to_pdf(html), "xlsx": report_xlsx(report)}


def squeeze(text: str) -> str:
    """Text without any whitespace: pdftotext breaks lines wherever the layout did."""
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool("pdftotext"), "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pages_not_blank(pdf: bytes, tmp_path: Path) -> int:
    from PIL import Image, ImageChops

    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    subprocess.run([tool("pdftoppm"), "-r", "20", "-png", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    for page in pages:
        image = Image.open(page).convert("L")
        assert ImageChops.invert(image).getbbox() is not None, f"{page.name} is blank"
    return len(pages)


# ---- the manual ------------------------------------------------------------------------------------

def test_manual_pdf_names_every_indicator_weight_and_band(manuals, tmp_path):
    text = squeeze(pdf_text(manuals["pdf"], tmp_path))
    model = manuals["model"]
    for item in model.indicators:
        assert squeeze(item.label) in text
        assert squeeze(item.share) in text, f"{item.label}: weight {item.share} not printed"
        for sentence in item.sentences:
            assert squeeze(f"{item.label} {sentence}") in text, sentence
    for table in model.results:
        for sentence in table.sentences:
            assert squeeze(sentence) in text, sentence
    for label, value in model.params:
        assert squeeze(f"{label}{value}") in text
    for special in model.special:
        assert all(squeeze(line) in text for line in special.sentences)
    for chapter in ("总则", "考核周期与考核主体", "指标体系", "评分标准", "加减分与否决项", "结果应用",
                    "数据采集与时间节点", "申诉", "附录", "考核规则原文"):
        assert chapter in text
    # the appendix's policy text, whole, once the page heads and feet between its lines are gone
    layout = pdf_text(manuals["pdf"], tmp_path)
    chapters = "|".join(re.escape(f"{number}. {title}") for _, number, title in model.chapters)
    running = rf"{re.escape(model.title)}\s+(?:{chapters})|\b\d+ ?/ ?{layout.count(chr(12))}\b"
    assert squeeze(model.sources[0].text) in squeeze(re.sub(running, "", layout))
    assert model.version in text
    assert pages_not_blank(manuals["pdf"], tmp_path) >= 3


def test_manual_docx_reopens_with_its_tables(manuals):
    import docx

    document = docx.Document(io.BytesIO(manuals["docx"]))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert any("评分标准" in h for h in headings)
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    for item in manuals["model"].indicators:
        assert item.label in cells and item.brief in cells
    paragraphs = {p.text for p in document.paragraphs}
    assert all(f"{i.label} {s}" in paragraphs for i in manuals["model"].indicators for s in i.sentences)


def test_manual_appendix_prints_the_policy_text_highlighted(manuals, case):
    """The appendix holds the policy as written: highlighted by the kpi lexer in HTML (so in PDF),
    a ```kpi block in Markdown, a monospace paragraph in DOCX."""
    import docx
    from html import unescape

    from kpi_engine.render.formats import SOURCE_STYLE

    (source,) = manuals["model"].sources
    assert source.text == case["text"]
    html = manuals["html"]
    assert re.search(r'<h2 id="source">\d+\. 附录: 考核规则原文</h2>', html)
    block = re.search(r'<div class="source"><pre>(.*?)</pre></div>', html, re.S).group(1)
    assert unescape(re.sub(r"<[^>]+>", "", block)).lstrip("\n") == source.text
    assert '<span class="k">indicator</span>' in block and 'class="err"' not in block
    assert ".source .k {" in html, "the highlighting's style rules are in the page"
    assert f"```kpi\n{source.text.rstrip()}\n```\n" in manuals["md"]
    document = docx.Document(io.BytesIO(manuals["docx"]))
    printed = [p.text for p in document.paragraphs if p.style.name == SOURCE_STYLE]
    assert printed == [source.text.rstrip("\n")]
    assert document.styles[SOURCE_STYLE].font.name == "Courier New"


def test_manual_of_a_policy_that_extends_a_preset_prints_both_texts(tmp_path):
    policy = tmp_path / "policy.kpi"
    policy.write_text('policy shop "星辰旗舰店客服考核" extends ecommerce_cs.small {\n}\n', encoding="utf-8")
    out = tmp_path / "manual.md"
    result = CliRunner().invoke(cli, ["manual", str(policy), "--format", "md", "-o", str(out)])
    assert result.exit_code == 0, result.output
    md = out.read_text(encoding="utf-8")
    appendix = md[md.index("附录: 考核规则原文"):]
    assert f"### 星辰旗舰店客服考核\n\n```kpi\n{policy.read_text(encoding='utf-8')}```" in appendix
    preset = registry().presets["ecommerce_cs.small"].text
    assert f"### 所依据的预设 ecommerce_cs.small\n\n```kpi\n{preset.rstrip()}\n```" in appendix


def test_a_policy_with_backticks_gets_a_longer_markdown_fence():
    from kpi_engine.render.manual import SourceText

    assert SourceText("t", "indicator x  # see ``` and `y`\n").fence == "````"
    assert SourceText("t", "no backticks\n").fence == "```"


def test_manual_markdown_and_english(manuals):
    md = manuals["md"]
    for item in manuals["model"].indicators:
        assert all(markdown_text(s) in md for s in item.sentences)
    assert re.search(r"^\| 指标 \| 定义/公式 \|", md, re.MULTILINE)
    en = manuals["en_md"]
    assert "Scoring standards" in en and "Appendix: personal scorecard" in en
    assert "scores" in en


# ---- the report ------------------------------------------------------------------------------------

def test_report_pdf_is_readable(reports, case, tmp_path):
    text = squeeze(pdf_text(reports["pdf"], tmp_path))
    report = reports["model"]
    for label in report.heat_indicators:
        assert squeeze(label) in text
    for _, person_id, *_ in report.rankings[0].rows:
        assert person_id in text
    assert pages_not_blank(reports["pdf"], tmp_path) >= 2


def test_report_xlsx_has_a_sheet_per_view(reports, case):
    from openpyxl import load_workbook

    report = reports["model"]
    book = load_workbook(io.BytesIO(reports["xlsx"]))
    assert book.sheetnames == ["总体情况", "成绩明细", "指标得分热力图 (得分率 %)", "失分", "排名", "改进措施"]
    scores = book["成绩明细"]
    assert [c.value for c in scores[1]] == report.score_header
    assert scores.freeze_panes == "C2"
    total_column = report.score_header.index("总分") + 1
    people = case["run"].records()
    assert scores.max_row == len(people) + 1
    for row, expected in zip(scores.iter_rows(min_row=2), report.score_rows):
        cell = row[total_column - 1]
        want = expected[total_column - 1]
        assert (cell.value is None) if want is None else Decimal(str(cell.value)) == want
        assert cell.number_format == "0.00"
    ranking = book["排名"]
    assert ranking.freeze_panes == "A2" and ranking.max_row == 1 + sum(len(r.rows) for r in report.rankings)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=tool("chromium"), args=["--no-sandbox"])
        yield launched
        launched.close()


def test_report_html_shows_every_chart_in_chromium(reports, browser, tmp_path):
    path = tmp_path / "report.html"
    path.write_text(reports["html"], encoding="utf-8")
    assert "<link" not in reports["html"] and "src=" not in reports["html"], "the report is one file"
    page = browser.new_page()
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(path.as_uri())
    charts = page.query_selector_all("figure svg")
    assert len(charts) == len(reports["model"].charts)
    for chart in charts:
        box = chart.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100
    assert problems == []
    page.close()


# ---- safety: names are text, templates stay in their folders, cells are not formulas --------------

@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """The seed 000 case with people whose names are markup and a formula."""
    source = CASES / "seed000_service_framework"
    if not source.is_dir():
        pytest.skip("../shared/conformance is not beside the project")
    folder = tmp_path_factory.mktemp("hostile")
    shutil.copytree(source / "data", folder / "data")
    staff = (folder / "data" / "staff.csv").read_text(encoding="utf-8").splitlines()
    header, first, second, *rest = staff
    first = first.split(",")
    second = second.split(",")
    names = header.split(",").index("name")
    first[names], second[names] = "<script>alert(1)</script>", "=HYPERLINK(\"http://x\";\"y\")"
    second[names] = '"' + second[names].replace('"', '""') + '"'
    (folder / "data" / "staff.csv").write_text("\n".join([header, ",".join(first), ",".join(second), *rest]) + "\n",
                                               encoding="utf-8")
    (run,) = score_runs(str(source / "policy.kpi"), str(folder / "data"), "2026-10", (), None)
    return run


def test_a_name_with_markup_stays_text(hostile_run):
    html = report_html(build_report(hostile_run), environment())
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_xlsx_cells_are_not_formulas(hostile_run):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(report_xlsx(build_report(hostile_run))))
    names = [row[1].value for row in book["成绩明细"].iter_rows(min_row=2)]
    assert "'=HYPERLINK(\"http://x\";\"y\")" in names
    assert all(not str(v).startswith(("=", "+", "-", "@")) for sheet in book for row in sheet.iter_rows()
               for v in (c.value for c in row) if isinstance(v, str))


def test_template_names_cannot_leave_their_folder(tmp_path):
    from jinja2 import TemplateNotFound

    env = environment(tmp_path)
    for name in ("../cli.py", "../../pyproject.toml", "default:../cli.py", "/etc/passwd"):
        with pytest.raises(TemplateNotFound):
            env.get_template(name)


def test_templates_cannot_reach_python(tmp_path):
    from jinja2.exceptions import SecurityError

    (tmp_path / "manual.html.j2").write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}", encoding="utf-8")
    with pytest.raises(SecurityError):
        environment(tmp_path).get_template("manual.html.j2").render()


def test_a_broken_template_is_reported_by_file_and_line(tmp_path):
    policy = CASES / "seed000_service_framework" / "policy.kpi"
    if not policy.is_file():
        pytest.skip("../shared/conformance is not beside the project")
    (tmp_path / "manual.md.j2").write_text("# {{ manual.title }}\n{% for x in %}", encoding="utf-8")
    result = CliRunner().invoke(cli, ["manual", str(policy), "--format", "md", "--templates", str(tmp_path),
                                      "-o", str(tmp_path / "m.md")])
    assert result.exit_code == 1 and "manual.md.j2:2:" in result.output
    assert not (tmp_path / "m.md").exists()


def test_user_templates_override_and_extend_the_defaults(tmp_path):
    policy = CASES / "seed000_service_framework" / "policy.kpi"
    if not policy.is_file():
        pytest.skip("../shared/conformance is not beside the project")
    (tmp_path / "manual.html.j2").write_text(
        '{% extends "default:manual.html.j2" %}{% block cover %}<p class="letterhead">某咨询公司</p>'
        '{{ super() }}{% endblock %}', encoding="utf-8")
    out = tmp_path / "manual.html"
    result = CliRunner().invoke(cli, ["manual", str(policy), "--templates", str(tmp_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert '<p class="letterhead">某咨询公司</p>' in html and "响应及时率" in html


def test_plugin_template_folders_come_between_user_and_defaults(tmp_path):
    from kpi_engine.render import templating

    user, plugin = tmp_path / "user", tmp_path / "plugin"
    user.mkdir(), plugin.mkdir()
    (plugin / "document.css.j2").write_text("/* plugin */", encoding="utf-8")
    (plugin / "manual.md.j2").write_text("plugin", encoding="utf-8")
    (user / "manual.md.j2").write_text("user", encoding="utf-8")
    env = templating.environment(user, [plugin])
    assert env.get_template("manual.md.j2").render() == "user"
    assert env.get_template("document.css.j2").render() == "/* plugin */"
    assert "@page" in env.get_template("default:document.css.j2").render()
    assert templating.plugin_template_folders() == []   # the shipped plugins bring no templates


def test_manual_of_a_preset_by_name_and_errors(tmp_path):
    runner = CliRunner()
    out = tmp_path / "m.md"
    result = runner.invoke(cli, ["manual", "ecommerce_cs.small", "--format", "md", "--lang", "en", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("# ")
    result = runner.invoke(cli, ["manual", "nowhere.kpi", "-o", str(out)])
    assert result.exit_code != 0 and "nowhere.kpi: no such file" in result.output
    result = runner.invoke(cli, ["manual", "ecommerce_cs.huge", "-o", str(out)])
    assert result.exit_code != 0 and "no installed preset" in result.output


def test_a_missing_document_library_names_the_install():
    from kpi_engine.errors import KpiError
    from kpi_engine.render.formats import require

    with pytest.raises(KpiError, match=r"pip install 'kpi-engine\[documents\]'"):
        require("kpi_engine_no_such_module", "weasyprint")


def test_kpi_help_does_not_import_document_libraries():
    import sys
    code = ("import sys; from kpi_engine.cli import cli; cli.list_commands(None); "
            "print(sorted(m for m in ('weasyprint', 'docx', 'openpyxl', 'jinja2') if m in sys.modules))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert found.strip() == "[]"


def test_kpi_report_command_writes_each_format(tmp_path):
    case = CASES / "seed004_field_reps"
    if not case.is_dir():
        pytest.skip("../shared/conformance is not beside the project")
    runner = CliRunner()
    for output in ("html", "xlsx"):
        target = tmp_path / f"report.{output}"
        result = runner.invoke(cli, ["report", str(case / "policy.kpi"), "--data", str(case / "data"),
                                     "--period", "2026-10", "--format", output, "--lang", "en", "-o", str(target)])
        assert result.exit_code == 0, result.output
        assert target.stat().st_size > 1000 and not list(tmp_path.glob(".*kpi-tmp"))
    assert "Points lost by indicator" in (tmp_path / "report.html").read_text(encoding="utf-8")
    result = runner.invoke(cli, ["report", str(case / "policy.kpi"), "--period", "2026-10", "-o", str(tmp_path / "x.html")])
    assert result.exit_code != 0 and "--data" in result.output
