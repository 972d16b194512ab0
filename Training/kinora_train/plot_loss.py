"""Loss curve of a run as a PNG: python -m kinora_train.plot_loss RUN_DIR OUT.png"""
import sys

import numpy as np

from .images import line_plot, save_png

# Rows are step,loss,grad-norm,seconds[,aux-loss]: the fifth column came later.
with open(sys.argv[1] + "/dit_log.csv") as f:
    rows = np.array([[float(v) for v in line.split(",")[:2]] for line in f if line.strip()])
steps, loss = rows[:, 0], rows[:, 1]
k = 20  # a moving average over 200 steps: single batches are noisy
smooth = np.convolve(loss, np.ones(k) / k, mode="valid")
save_png(sys.argv[2], line_plot(steps[k - 1:], smooth))
print(f"steps {int(steps[-1])}, loss (200-step mean) {smooth[-1]:.4f}")
