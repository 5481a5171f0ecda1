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

from .errors import Finding, InvalidInput, ReportkitError

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
    """Check params files against the schema and rules R1–R10 (R9/R10 across years).

    Exits 2 if any file has an error; warnings alone exit 0.
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
              help="Worker processes. Default: number of CPUs.")
@click.option("--timeout", type=click.IntRange(1), default=300, show_default=True,
              help="Seconds a report's cell may run before its kernel is killed.")
@click.option("--force", is_flag=True, help="Rebuild even reports whose inputs did not change.")
@click.option("--engine", type=click.Choice(["warm", "cold"]), default="warm", show_default=True,
              help="cold: a fresh kernel per report; warm: one reused kernel per worker.")
@click.option("--no-summary", is_flag=True, help="Do not build the city-wide roll-up report.")
@click.option("--notebook", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Use another master notebook (default: notebooks/report.ipynb).")
@click.option("--cluster", default=None, metavar="local|ADDRESS",
              help="Run the reports on Dask: 'local' starts a LocalCluster (--jobs workers), "
                   "an address (tcp://host:8786) uses a running scheduler. Default: local process pool.")
@click.pass_obj
def build(obj, year, bureau, jobs, timeout, force, engine, no_summary, notebook, cluster):
    """Build the reports of YEAR into OUTPUT/YEAR/ and the year's index page.

    Invalid inputs are listed and skipped; a report that fails is kept under _failed/.
    Exit 0 all built, 1 a report failed, 2 an input was invalid.
    """
    from contextlib import nullcontext

    from .progress import BuildProgress, print_summary
    from . import batch

    runner = nullcontext()
    if cluster:
        from .run.dask_engine import DaskRunner

        runner = DaskRunner(cluster, jobs=jobs, announce=lambda line: click.echo(line, err=True))
    with runner as run_on, BuildProgress() as progress:
        result = batch.build(obj["params"], obj["output"], year, bureau or None, jobs=jobs,
                             timeout=timeout, force=force, engine=engine, on_event=progress.event,
                             summary=not no_summary, runner=run_on,
                             **({"notebook": notebook} if notebook else {}))
    print_summary(result)
    sys.exit(result.exit_code)


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


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output-dir", "out_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Write DIR/<year>/<id>.yaml and add the issuer to DIR/bureaus.yaml. Default: print the YAML.")
@click.option("--bureau", default=None,
              help="Bureau id to file under. Default: the id the registry gives the issuer, else bureau-<hash>.")
@click.option("--year", type=int, default=None, help="Report year. Default: from the title.")
def import_(files, out_dir, bureau, year):
    """Read published reports (HTML pages or text) back into params files.

    Recognises the 2021 and the older 2019 format and says which. Blank, "—" and "/" cells
    are read as 0 and listed; every figure that cannot be read is listed with its row and
    column and written as null, so `reportkit --params DIR validate` fails on it until fixed.
    Exit 0 all read, 2 a file is not a report or has figures that could not be read.
    """
    from . import importer
    from .errors import ImportFailed

    registry = importer.load_registry_loose(out_dir / "bureaus.yaml") if out_dir else {}
    incomplete = False
    report_out = {"err": out_dir is None}
    for path in files:
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
            target, added = importer.write(imp, out_dir)
            registry[imp.bureau_id] = imp.bureau
            click.echo(f"  → {target}" + (f"；{imp.bureau_id} 已加入 {out_dir / 'bureaus.yaml'}" if added else ""))
        else:
            click.echo(importer.to_yaml(imp))
        incomplete = incomplete or not rep.complete
    sys.exit(EXIT_INVALID if incomplete else 0)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the findings as one JSON list.")
def audit(files, as_json):
    """Check published reports: rules R1–R8 in every column, R9/R10 across years, text vs tables.

    Each file is imported in memory. Text checks: figures quoted in 一、总体情况 against the
    tables, the report year in the text, an empty section 五, fees in the tables while 六
    says none were charged. Exit 0 all pass, 3 a rule is broken, 2 a file is not a report.
    """
    from . import audit as auditing

    results = auditing.audit_files(files)
    if as_json:
        click.echo(json.dumps(auditing.records(results), ensure_ascii=False, indent=2))
    else:
        for line in auditing.text_lines(results):
            click.echo(line)
    sys.exit(auditing.exit_code(results))


@cli.command()
def schema():
    """Print the JSON Schema of a params/<year>/<id>.yaml file (for editor completion)."""
    from .model import BureauYear

    doc = BureauYear.model_json_schema()
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    doc["title"] = "reportkit params file (政府信息公开工作年度报告数据)"
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2))


def main():
    cli(prog_name="reportkit")


if __name__ == "__main__":
    main()
