#!/usr/bin/python3
"""Prepares the tutorial's data (docs/tutorial.md) from scikit-learn's copy of the Wisconsin breast cancer set.

Debian's python3-sklearn ships it as a CSV whose first line counts rows and columns instead of naming them, and whose
rows carry neither an id nor a time. This script (standard library only) writes, into the folder given (default
out/tutorial):

  tumors.csv              500 cases of clinic A: patient_id, seen_at, the ten "mean" measurements, malignant (1/0)
  clinic-b.csv            300 diagnosed cases of clinic B, whose imaging software reads every measurement ~50% higher
  clinic-b-requests.json  an Open Inference Protocol request scoring all 569 cases of clinic B at once

Run it again and it writes the same files: the shuffle and the noise are seeded.
"""
import csv
import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone

SOURCE = "/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv"
# The first ten columns are the means over each image's cell nuclei; the model reads them in this order.
FEATURES = ["radius", "texture", "perimeter", "area", "smoothness", "compactness",
            "concavity", "concave_points", "symmetry", "fractal_dimension"]
CLINIC_A_CASES = 500
CLINIC_B_DIAGNOSED = 300
CLINIC_B_SCALE = 1.5


def read_source():
    if not os.path.exists(SOURCE):
        sys.exit(f"prepare.py: {SOURCE} is missing: install Debian's python3-sklearn (apt-get install -y python3-sklearn)")
    with open(SOURCE, newline="") as f:
        rows = list(csv.reader(f))[1:]  # line 1 is "569,30,malignant,benign", not a header
    # Columns 0-9 are the means; the last one is the target, 0 = malignant, 1 = benign.
    return [([float(v) for v in row[:10]], 1 - int(row[30])) for row in rows]


def number(value):
    return float(f"{value:.5g}")


def write_cases(path, cases, clinic, start):
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["patient_id", "seen_at", *FEATURES, "malignant"])
        for i, (values, malignant) in enumerate(cases):
            seen_at = (start + timedelta(minutes=30 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
            out.writerow([f"{clinic}-{i + 1:04d}", seen_at, *values, malignant])


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join("out", "tutorial")
    os.makedirs(folder, exist_ok=True)
    cases = read_source()
    rng = random.Random(2026)
    rng.shuffle(cases)

    clinic_a = cases[:CLINIC_A_CASES]
    write_cases(os.path.join(folder, "tumors.csv"), clinic_a, "a", datetime(2026, 1, 5, 8, tzinfo=timezone.utc))

    # Clinic B: every case measured again by software that reads each value about 50% higher (2% noise).
    clinic_b = [([number(v * CLINIC_B_SCALE * (1 + rng.gauss(0, 0.02))) for v in values], malignant)
                for values, malignant in random.Random(7).sample(cases, len(cases))]
    write_cases(os.path.join(folder, "clinic-b.csv"), clinic_b[:CLINIC_B_DIAGNOSED], "b", datetime(2026, 3, 2, 8, tzinfo=timezone.utc))
    request = {"id": "clinic-b", "inputs": [{"name": "input", "shape": [len(clinic_b), len(FEATURES)], "datatype": "FP32",
                                             "data": [values for values, _ in clinic_b]}]}
    with open(os.path.join(folder, "clinic-b-requests.json"), "w") as f:
        json.dump(request, f)

    malignant = sum(m for _, m in clinic_a)
    print(f"{folder}/tumors.csv: {len(clinic_a)} cases of clinic A ({malignant} malignant)")
    print(f"{folder}/clinic-b.csv: {CLINIC_B_DIAGNOSED} diagnosed cases of clinic B (measurements x{CLINIC_B_SCALE})")
    print(f"{folder}/clinic-b-requests.json: an inference request for all {len(clinic_b)} cases of clinic B")


if __name__ == "__main__":
    main()
