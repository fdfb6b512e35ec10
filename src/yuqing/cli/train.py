"""`yuqing train sentiment`: rebuild the shipped sentiment model from the data, reproducibly."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from yuqing.cli.common import JsonOpt, emit_json, print_fields, progress_bar, user_errors
from yuqing.domain import BadInput

train_app = typer.Typer(help="Train the models Yuqing ships.", no_args_is_help=True)

DATA_HELP = "folder with train.csv and dev.csv (text,label); default ../shared/data/sentiment3"


@train_app.command("sentiment")
def train_sentiment_cmd(
    data: Annotated[Path, typer.Option(help=DATA_HELP)] = Path("../shared/data/sentiment3"),
    out: Annotated[
        Path | None, typer.Option(help="output folder; default the package's model folder")
    ] = None,
    lexicons: Annotated[
        Path,
        typer.Option(
            help="sentiment word-list folder (HowNet/NTUSD/Tsinghua), used at train time only for "
            "negation pseudo-documents"
        ),
    ] = Path("../shared/data/sentiment_lexicons"),
    unlabelled: Annotated[
        Path,
        typer.Option(
            "--unlabelled",
            help="research data folder whose unlabelled Weibo posts pretrain the CNN's embeddings "
            "(train time only; dev/test texts left out)",
        ),
    ] = Path("../shared/data"),
    domain: Annotated[
        Path | None,
        typer.Option(
            "--domain",
            help="our hand-written public-affairs posts (text,label CSV) added to training at a "
            "weight chosen on dev; default the shipped data/sentiment/public_affairs_train.csv",
        ),
    ] = None,
    no_domain: Annotated[
        bool, typer.Option("--no-domain", help="train on sentiment3 (and the lexicons) only")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Train the 3-class sentiment model (negative / neutral / positive): a linear model and a
    CNN averaged. Needs torch (pip install 'yuqing[train]')."""
    from yuqing.pipeline.sentiment import default_model_path
    from yuqing.pipeline.sentiment_train import default_domain_path, train_sentiment

    with user_errors():
        train_csv, dev_csv, test_csv = data / "train.csv", data / "dev.csv", data / "test.csv"
        for f in (train_csv, dev_csv, lexicons, unlabelled):
            if not f.exists():
                raise BadInput(f"{f}: not found (give --data / --lexicons / --unlabelled FOLDER)")
        with progress_bar("训练 training", 100, enabled=not json_out) as advance:
            state = {"done": 0}

            def report(message: str, fraction: float) -> None:
                step = int(fraction * 100) - state["done"]
                if step > 0:
                    advance(step)
                    state["done"] += step

            metrics = train_sentiment(
                train_csv,
                dev_csv,
                out or default_model_path().parent,
                progress=report,
                test_csv=test_csv if test_csv.exists() else None,
                lexicon_dir=lexicons,
                unlabelled_dir=unlabelled,
                domain_csv=None if no_domain else domain or default_domain_path(),
            )
    if json_out:
        emit_json(metrics)
    else:
        print_fields(metrics)
