"""``reportkit``: a thin command line over the library.

Library errors become one paragraph on stderr and an exit code: 0 ok, 1 a report failed,
2 invalid input, 3 audit findings. No traceback reaches the user (REPORTKIT_DEBUG=1 shows one).
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from .errors import ReportkitError

EXIT_INVALID = 2


class ReportkitGroup(click.Group):
    """Maps ReportkitError (and anything unexpected) to a one-paragraph message and exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ReportkitError as exc:
            click.echo(f"reportkit: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("reportkit: 已中断。已完成的报告均已保留，未完成的没有写入。", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # the reader went away (``| head``): stop quietly, as `cat` would
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(141)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # noqa: BLE001
            if os.environ.get("REPORTKIT_DEBUG"):
                raise
            click.echo(f"reportkit: 内部错误：{type(exc).__name__}: {exc}"
                       "（设置 REPORTKIT_DEBUG=1 可查看详细信息）", err=True)
            ctx.exit(1)


@click.group(cls=ReportkitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--params", "params_dir", default="params", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder with bureaus.yaml and <year>/<id>.yaml.")
@click.option("--output", "output_dir", default="output", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Where reports are written (output/<year>/).")
@click.version_option(package_name="reportkit")
@click.pass_context
def cli(ctx, params_dir: Path, output_dir: Path):
    """Build 政府信息公开工作年度报告 from YAML params: validate, build, inspect."""
    ctx.obj = {"params": params_dir, "output": output_dir}


def _severity_counts(findings):
    errors = sum(f.severity == "error" for f in findings)
    return errors, len(findings) - errors


@cli.command()
@click.option("--year", type=int, multiple=True, help="Only this year (repeatable). Default: every year.")
@click.option("--bureau", multiple=True, help="Only this bureau id (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print findings as a JSON list.")
@click.pass_obj
def validate(obj, year, bureau, as_json):
    """Check params files against the schema and the rule book before anything is built.

    R1–R10 on the tables (R9/R10 across years), T1–T5 on the narrative against the tables
    (located at the paragraph's line), P1–P3, a TODO left in the narrative (D1, an error) and
    a paragraph copied from another bureau of the same year (D2). Exits 2 if any file has an
    error; warnings alone exit 0.
    """
    from .params import check_known, load_registry, nothing_to_check
    from .validate import check_many

    if bureau:
        check_known(obj["params"], bureau, load_registry(obj["params"]))
    checked = check_many(obj["params"], year or None, bureau or None)
    if not checked:
        raise nothing_to_check(obj["params"], year, bureau)
    findings = [f for c in checked for f in c.findings]
    errors, warnings = _severity_counts(findings)
    if as_json:
        click.echo(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2))
    else:
        for f in findings:
            click.echo(("错误 " if f.severity == "error" else "提示 ") + str(f))
        bad = sum(not c.ok for c in checked)
        click.echo(f"检查了 {len(checked)} 个文件：{len(checked) - bad} 个通过，{bad} 个有错误；"
                   f"错误 {errors} 处，提示 {warnings} 处。")
    sys.exit(EXIT_INVALID if errors else 0)


@cli.command()
@click.argument("year", type=int)
@click.option("--bureau", multiple=True, help="Build only this bureau id (repeatable).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None,
              help="Reports run at once (warm: kernels forked from one zygote; cold: worker "
                   "processes). Default: number of CPUs.")
@click.option("--timeout", type=click.IntRange(1), default=300, show_default=True,
              help="Seconds a report's cell may run before its kernel is killed.")
@click.option("--force", is_flag=True, help="Rebuild even reports whose inputs did not change.")
@click.option("--engine", type=click.Choice(["warm", "cold"]), default="warm", show_default=True,
              help="cold: a fresh kernel per report; warm: each kernel reused for many reports.")
@click.option("--no-summary", is_flag=True, help="Do not build the city-wide roll-up report.")
@click.option("--format", "formats", default=None, metavar="html,docx,pdf",
              help="Formats to write besides the HTML page: docx (Word, official style), pdf. "
                   "Default: formats in params/project.yaml, else html.")
@click.option("--notebook", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Use another master notebook (default: the project's notebooks/report.ipynb next to "
                   "PARAMS, else the one shipped with reportkit).")
@click.option("--cluster", default=None, metavar="local|ADDRESS",
              help="Run the reports on Dask: 'local' starts a LocalCluster (--jobs workers), "
                   "an address (tcp://host:8786) uses a running scheduler. Default: local process pool.")
@click.pass_obj
def build(obj, year, bureau, jobs, timeout, force, engine, no_summary, notebook, formats, cluster):
    """Build the reports of YEAR into OUTPUT/YEAR/ and the year's index page.

    Invalid inputs are listed and skipped; a report that fails is kept under _failed/.
    Exit 0 all built, 1 a report failed, 2 an input was invalid.
    """
    from contextlib import nullcontext

    from .run.zygote import Zygote

    # The warm kernels' zygote loads from now on, while the rest of reportkit is imported.
    early = Zygote() if engine == "warm" and not cluster else nullcontext()
    with early as zygote:
        from .progress import BuildProgress, print_summary
        from . import batch

        runner = nullcontext()
        if cluster:
            from .run.dask_engine import DaskRunner

            runner = DaskRunner(cluster, jobs=jobs, announce=lambda line: click.echo(line, err=True))
        with runner as run_on, BuildProgress() as progress:
            result = batch.build(obj["params"], obj["output"], year, bureau or None, jobs=jobs,
                                 timeout=timeout, force=force, engine=engine, on_event=progress.event,
                                 summary=not no_summary, formats=formats, runner=run_on, zygote=zygote,
                                 **({"notebook": notebook} if notebook else {}))
    print_summary(result)
    sys.exit(result.exit_code)


@cli.command()
@click.argument("year", type=int, required=False)
@click.option("--bureau", default=None, help="Open this bureau's report. Default: the year's index.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--notebook", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Use another master notebook (default: notebooks/report.ipynb).")
@click.pass_obj
def preview(obj, year, bureau, port, host, notebook):
    """Serve YEAR's reports, index and roll-up live; rebuild and reload on every save.

    Pages are built in memory with the build's own engine (nothing is written to OUTPUT);
    invalid params show their located errors until the file is fixed. Ctrl-C ends it (exit 130).
    """
    from .preview import serve

    try:
        serve(obj["params"], obj["output"], year, bureau, host=host, port=port, notebook=notebook,
              echo=click.echo)
    except KeyboardInterrupt:
        click.echo("预览已结束。", err=True)
        sys.exit(130)


@cli.command()
@click.option("--years", default=None, help="A range like 2021-2023 or one year. Default: every year.")
@click.option("-o", "--output-file", "target", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write: .csv or .parquet.")
@click.pass_obj
def dataset(obj, years, target):
    """Export every cell of every valid bureau × year as one long table.

    Columns: bureau, year, table, row, column, value (row/column are the format's keys).
    Invalid files are left out and listed; the exit code is then 2.
    """
    from .dataset import export, parse_years

    rows, invalid = export(obj["params"], target, parse_years(years))
    click.echo(f"已写入 {rows} 个单元格：{target}")
    for c in invalid:
        click.echo(f"未纳入 {c.path}：{len(c.errors)} 处错误，详见 reportkit validate", err=True)
    sys.exit(EXIT_INVALID if invalid else 0)


@cli.command()
@click.argument("year", type=click.IntRange(1900, 2999))
@click.option("--bureau", multiple=True, help="Only this bureau id (repeatable). Default: every bureau of the registry.")
@click.option("-o", "--output-dir", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the workbooks (DIR/<year>-<id>.xlsx).")
@click.option("--force", is_flag=True, help="Replace workbooks already in DIR that differ (e.g. filled ones).")
@click.pass_obj
def template(obj, year, bureau, out_dir, force):
    """Write one Excel workbook per bureau for YEAR: the official tables to fill in.

    Prefilled from PARAMS/YEAR/<id>.yaml when it exists; last year's carry-over locked.
    Bureaus send them back filled; `reportkit import` reads them. Exit 2 if a different
    workbook already in DIR was kept (use --force to replace it).
    """
    from .workbook import write_templates

    written = write_templates(obj["params"], year, out_dir, bureau or None, force=force)
    notes = {"prefilled": "（已按数据文件预填）", "blank": "（空白）", "unchanged": "（未变）",
             "kept": "：已有不同的文件，未覆盖（可能是已填写的表；确需覆盖请加 --force）"}
    for path, status in written:
        click.echo(f"{path}{notes[status]}", err=status == "kept")
    kept = sum(status == "kept" for _, status in written)
    click.echo(f"已写入 {len(written) - kept} 个填报表：{out_dir}" + (f"；{kept} 个未覆盖" if kept else ""))
    sys.exit(EXIT_INVALID if kept else 0)


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output-dir", "out_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Write DIR/<year>/<id>.yaml and add the issuer to DIR/bureaus.yaml. Default: print the YAML.")
@click.option("--bureau", default=None,
              help="Bureau id to file under. Default: the id the registry gives the issuer, else bureau-<hash>.")
@click.option("--year", type=int, default=None, help="Report year. Default: from the title.")
@click.option("--force", is_flag=True, help="Replace an existing params file (and print what changed).")
def import_(files, out_dir, bureau, year, force):
    """Read published reports back into params files: web pages, PDFs with a text layer, Word
    .docx, Excel .xlsx, markdown tables, text in columns, flattened text, scans (OCR extra).
    The form is recognised from the file's content, not its name.

    Recognises the 2021 and the older 2019 format and says which. Blank, "—" and "/" cells
    are read as 0 and listed; every figure that cannot be read is listed with its row and
    column and written as null, so `reportkit --params DIR validate` fails on it until fixed.
    Filled reportkit workbooks (a folder stands for its .xlsx files) are read cell by cell:
    errors are located as 表三!D12; a workbook with errors is not imported.
    An existing DIR/<year>/<id>.yaml is never replaced without --force; an issuer already in
    DIR/bureaus.yaml (same name) keeps its id.
    Exit 0 all read, 2 a file is not a report or has figures that could not be read.
    """
    from . import importer
    from .errors import ImportFailed
    from .workbook import collect, is_reportkit_workbook

    registry = importer.load_registry_loose(out_dir / "bureaus.yaml") if out_dir else {}
    incomplete = False
    report_out = {"err": out_dir is None}
    for path in collect.expand(list(files)):
        if is_reportkit_workbook(path):
            done = collect.import_workbook(path, out_dir, bureau=bureau, year=year, force=force,
                                           new_city=not registry)
            for line in done.lines:
                click.echo(line, **report_out)
            if done.text is not None:
                click.echo(done.text)
            incomplete = incomplete or not done.ok
            continue
        try:
            imp = importer.read_report(path, year=year, bureau=bureau, registry=registry)
        except ImportFailed as exc:
            click.echo(f"reportkit: {exc}", err=True)
            incomplete = True
            continue
        rep = imp.report
        click.echo(f"{path}: {imp.issuer} {imp.year}年（id {imp.bureau_id}）", **report_out)
        for line in rep.lines():
            click.echo("  " + line, **report_out)
        if out_dir is not None:
            try:
                written = importer.write(imp, out_dir, force=force)
            except ImportFailed as exc:
                click.echo(f"reportkit: {exc}", err=True)
                incomplete = True
                continue
            registry[written.bureau_id] = imp.bureau
            click.echo(f"  → {written.path}" + ("（覆盖）" if not written.created else "")
                       + (f"；{written.bureau_id} 已加入 {out_dir / 'bureaus.yaml'}" if written.registered else ""))
            for change in written.changes:
                click.echo(f"    改动 {change}")
        else:
            click.echo(importer.to_yaml(imp))
        incomplete = incomplete or not rep.complete
    sys.exit(EXIT_INVALID if incomplete else 0)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the findings as one JSON list.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write one self-contained HTML page: scorecard, findings with their cells marked.")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the findings as CSV rows.")
def audit(paths, as_json, html_file, csv_file):
    """Check published reports (files or folders, recursively) with the rule book.

    R1–R8 on the printed cells, T1–T5 on the text against the tables, P1 (publication date),
    and across reports of one issuer in consecutive years R9, R10, P2, P3. Files in a folder
    that are not an annual report are skipped with a note. Exit 0 all pass, 3 a rule is
    broken, 2 a named file is not a report.
    """
    from . import audit as auditing

    results = auditing.audit_files(paths)
    if html_file or csv_file:
        from . import auditpage

        if html_file:
            auditpage.write_html(results, html_file)
        if csv_file:
            auditpage.write_csv(results, csv_file)
    if as_json:
        click.echo(json.dumps(auditing.records(results), ensure_ascii=False, indent=2))
    else:
        for line in auditing.text_lines(results):
            click.echo(line)
        for target in (html_file, csv_file):
            if target:
                click.echo(f"已写入 {target}")
    sys.exit(auditing.exit_code(results))


@cli.command()
@click.argument("folder", type=click.Path(file_okay=True, path_type=Path))
@click.option("--city", default="示例市", show_default=True, help="The city's name (示例局 and 人民政府 are added).")
@click.option("--year", type=int, default=None, help="Year of the example file. Default: last year.")
@click.option("--force", is_flag=True, help="Also in a non-empty folder (only missing files are added).")
def init(folder, city, year, force):
    """Start a city project in FOLDER: registry, one example bureau, notebooks, README.

    The project builds with the installed package alone; its notebooks hold the report's
    wording. Existing files are never overwritten.
    """
    from .project import init as init_project

    _report_written(init_project(folder, city=city, force=force, year=year), folder)
    click.echo(f"下一步：cd {folder} && reportkit validate && reportkit build {year or _last_year()}")


@cli.command()
@click.argument("year", type=int)
@click.option("--bureau", default=None, help="Only this bureau id. Default: every bureau of the registry.")
@click.pass_obj
def new(obj, year, bureau):
    """Start PARAMS/YEAR/<id>.yaml for every bureau (or one) from last year's file.

    二、上年结转 = last year's 四、结转下年度 column by column, 现行有效 carried, other
    figures 0, the bureau's paragraphs as drafts marked TODO. Existing files are kept.
    """
    from .project import new_year

    _report_written(new_year(obj["params"], year, bureau), ".")


def _last_year() -> int:
    import datetime as dt

    return dt.date.today().year - 1


def _report_written(done, base) -> None:
    from .project import relative

    for path in done.written:
        click.echo(f"已写入 {relative(path, base)}")
    for path in done.kept:
        click.echo(f"已存在，未改动 {relative(path, base)}")
    for note in done.notes:
        click.echo(f"注意：{note}", err=True)


@cli.command()
def schema():
    """Print the JSON Schema of a params/<year>/<id>.yaml file (for editor completion)."""
    from .model import BureauYear

    doc = BureauYear.model_json_schema()
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    doc["title"] = "reportkit params file (政府信息公开工作年度报告数据)"
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2))


def main():
    """The console script: the command, then :func:`reportkit.quickexit.leave` (no teardown)."""
    from .quickexit import leave

    try:
        cli(prog_name="reportkit")
        code = 0
    except SystemExit as exc:
        code = exc.code
    leave(code)


if __name__ == "__main__":
    main()
