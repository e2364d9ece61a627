"""The devices a check runs on: the CPU here, CUDA too where there is a GPU (``pytest -m gpu``)."""

from __future__ import annotations

import pytest
import torch

CUDA = pytest.param("cuda", marks=[
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")])
DEVICES = ["cpu", CUDA]
