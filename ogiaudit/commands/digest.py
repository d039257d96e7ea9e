"""`ogiaudit digest`: not built yet (a placeholder so that the command line stays whole)."""
import typer


def register(app: typer.Typer) -> None:
    @app.command("digest", help="（尚未实现）")
    def _placeholder() -> None:
        typer.echo("ogiaudit digest: 尚未实现", err=True)
        raise typer.Exit(2)
