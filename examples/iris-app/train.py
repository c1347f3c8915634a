"""Train a small classifier on the iris data that ships with scikit-learn; save a model and a plot.

Writes to $OUTPUT_DIR (default ./out): model.pkl, confusion.png and metrics.json.
"""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display in a container

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import ConfusionMatrixDisplay, accuracy_score
from sklearn.model_selection import train_test_split


def main() -> None:
    out = Path(os.environ.get("OUTPUT_DIR", "out"))
    out.mkdir(parents=True, exist_ok=True)
    iris = load_iris(as_frame=True)
    frame: pd.DataFrame = iris.frame
    x_train, x_test, y_train, y_test = train_test_split(
        frame[iris.feature_names], frame["target"], test_size=0.3, random_state=0, stratify=frame["target"]
    )
    model = RandomForestClassifier(n_estimators=50, random_state=0).fit(x_train, y_train)
    accuracy = float(accuracy_score(y_test, model.predict(x_test)))
    (out / "model.pkl").write_bytes(pickle.dumps(model))
    ConfusionMatrixDisplay.from_estimator(model, x_test, y_test, display_labels=iris.target_names)
    plt.title(f"iris: accuracy {accuracy:.2f}")
    plt.savefig(out / "confusion.png", dpi=80)
    metrics = {"accuracy": accuracy, "numpy": np.__version__, "pandas": pd.__version__,
               "train_rows": len(x_train)}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    print(f"accuracy={accuracy:.3f} model={out / 'model.pkl'} plot={out / 'confusion.png'}")


if __name__ == "__main__":
    main()
