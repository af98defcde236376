"""`python -m kpi_engine` and the `kpi` command."""
import sys


def main() -> None:
    if sys.argv[1:2] == ["score"]:
        # its database is set up on a thread while Python imports the rest (~20 ms of every run)
        from .execute.database import open_early

        open_early()
    from .cli import cli

    cli()


if __name__ == "__main__":
    main()
