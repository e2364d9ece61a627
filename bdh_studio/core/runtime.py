"""Device and precision: the one place that decides, so the trainer only asks.

auto picks cuda, then mps, then cpu; on CUDA, bf16 autocast where the GPU
runs it natively and fp16 with a GradScaler where it does not; on MPS bf16
where macOS has it (14 on), else fp32; on a CPU bf16 where it multiplies
bf16 in hardware (AVX512-BF16 or AMX), else fp32.  TF32 matmuls are allowed on CUDA; on a Linux CPU glibc keeps
freed activations for the next step (keep_freed_memory).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys
from dataclasses import dataclass

import torch
from torch import nn

from .config import ConfigError

DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}


@dataclass(frozen=True)
class Runtime:
    device: torch.device
    precision: str
    compile: bool = False

    @property
    def dtype(self) -> torch.dtype:
        return DTYPES[self.precision]

    def autocast(self) -> contextlib.AbstractContextManager:
        """Mixed precision for the forward pass; a no-op in fp32.

        Autocast is thread-local: enter it in the thread that runs the step.
        """
        if self.precision == "fp32":
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.dtype)

    def grad_scaler(self) -> torch.amp.GradScaler:
        """Loss scaling, which only fp16 needs (bf16 has fp32's range)."""
        return torch.amp.GradScaler(self.device.type, enabled=self.precision == "fp16")

    def prepare(self, model: nn.Module) -> nn.Module:
        model = model.to(self.device)
        return torch.compile(model) if self.compile else model

    def describe(self) -> str:
        name = str(self.device)
        if self.device.type == "cuda":
            name += f" ({torch.cuda.get_device_name(self.device)})"
        return f"{name}, {self.precision}" + (", compiled" if self.compile else "")

    def synchronize(self) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)


def mps_available() -> bool:
    return getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()


def mps_has_bf16() -> bool:
    """Whether Metal runs bfloat16 here: from macOS 14 (Sonoma) on."""
    return torch.backends.mps.is_macos_or_newer(14, 0)


def pick_device(device: str = "auto") -> torch.device:
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        return torch.device("mps" if mps_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError("device cuda: no CUDA GPU is visible to PyTorch here; "
                          "use device auto or cpu (or install a CUDA build of torch)")
    if device == "mps" and not mps_available():
        raise ConfigError("device mps: Apple's Metal backend is not available here; use auto or cpu")
    try:
        return torch.device(device)
    except RuntimeError:
        raise ConfigError(f"device {device!r} is not a device; use auto, cpu, cuda or mps") from None


def cpu_has_bf16() -> bool:
    """Whether this CPU multiplies bf16 in hardware (AVX512-BF16 or AMX).

    There bf16 autocast trains the cpu preset ~1.3x faster than fp32, which
    buys a lower loss in the same time (benchmarks/tune_preset.py); elsewhere
    torch emulates bf16, slower than fp32.
    """
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in checks)


def pick_precision(device: torch.device, precision: str = "auto") -> str:
    if precision == "auto":
        if device.type == "cuda":
            # Emulated bf16 (T4, V100, RTX 20xx) has no tensor cores: fp16 is much faster there.
            return "bf16" if torch.cuda.is_bf16_supported(including_emulation=False) else "fp16"
        if device.type == "mps" and mps_has_bf16():
            return "bf16"  # half the paper preset's ~75 GiB of fp32 activations
        if device.type == "cpu" and cpu_has_bf16():
            return "bf16"
        return "fp32"
    if precision not in DTYPES:
        raise ConfigError(f"precision {precision!r}: use auto, fp32, bf16 or fp16")
    if precision == "fp16" and device.type == "cpu":
        raise ConfigError("precision fp16 needs a GPU; on the CPU use bf16 or fp32")
    if precision == "bf16" and device.type == "cuda" and not torch.cuda.is_bf16_supported():
        raise ConfigError("precision bf16: this GPU does not support bfloat16; use fp16 or auto")
    if precision == "bf16" and device.type == "mps" and not mps_has_bf16():
        raise ConfigError("precision bf16: Metal has bfloat16 from macOS 14 on; use fp16 or auto")
    return precision


def resolve(device: str = "auto", precision: str = "auto", compile: bool = False) -> Runtime:
    dev = pick_device(device)
    if dev.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    if dev.type == "cpu":
        keep_freed_memory()
    return Runtime(dev, pick_precision(dev, precision), compile)


def preload() -> None:
    """Import now what the first optimizer would import: torch._dynamo, ~800 modules, ~1 s.

    torch.optim imports it lazily when the first optimizer is built.  In the
    window's worker that import held the GIL in stretches long enough to freeze
    the GUI thread for ~200 ms as the first book started (benchmark 3); the
    window runs this in a thread of its own at launch instead.
    """
    import torch._dynamo  # noqa: F401


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters


def keep_freed_memory() -> None:
    """Let glibc keep the activations a CPU step frees, for the next step to reuse.

    By default glibc returns large freed blocks to the kernel, so every step
    page-faults its few-megabyte activations in again: about 2,700 faults a
    cpu-preset step, 7% of its time (benchmarks/process_settings.py).  Blocks
    up to 32 MiB (glibc's own ceiling) then come from the heap, which keeps up
    to 256 MiB free.  Process-wide; nothing happens where there is no glibc.
    """
    if not sys.platform.startswith("linux"):
        return
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is not None:
        mallopt(M_MMAP_THRESHOLD, 32 << 20)
        mallopt(M_TRIM_THRESHOLD, 256 << 20)


def free_memory(device: torch.device) -> int | None:
    """Bytes this device can still give, where the platform tells (Linux RAM, CUDA, Metal)."""
    if device.type == "cuda":
        return torch.cuda.mem_get_info(device)[0]
    if device.type == "mps":  # Metal's working-set budget for this process, less what it holds
        return torch.mps.recommended_max_memory() - torch.mps.driver_allocated_memory()
    if device.type == "cpu":
        try:
            with open("/proc/meminfo", encoding="ascii") as f:
                for line in f:
                    if line.startswith("MemAvailable:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            return None
    return None


def release_memory(device: torch.device) -> None:
    """Give the device back what unreachable tensors held, reference cycles included.

    Useless while an exception (whose frames hold the tensors) is alive.
    """
    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()
    elif device.type == "mps":
        torch.mps.empty_cache()


def unwrap(model: nn.Module) -> nn.Module:
    """The plain BDH inside DistributedDataParallel and torch.compile wrappers."""
    while True:
        inner = getattr(model, "module", None) or getattr(model, "_orig_mod", None)
        if inner is None:
            return model
        model = inner
