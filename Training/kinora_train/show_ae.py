"""Save a grid of frames and their autoencoder reconstructions: python -m kinora_train.show_ae RUN OUT.png"""
import sys

import numpy as np
import torch

from .checkpoint import load_checkpoint
from .data import frame_batch, to_uint8
from .images import grid, save_png
from .model import AEConfig, AutoEncoder

torch.set_num_threads(1)
ae = AutoEncoder(AEConfig())
st = load_checkpoint(sys.argv[1] + "/ae.pt", ae)
x = frame_batch(np.random.default_rng(99), 12)
with torch.no_grad():
    y = ae.decoder(ae.encoder(x))
print("step", st.get("step"), "psnr", float(10 * torch.log10(4 / (y.clamp(-1, 1) - x).pow(2).mean())))
save_png(sys.argv[2], grid([to_uint8(x), to_uint8(y.clamp(-1, 1))], scale=2))
