# ComfyUI's cost for the bench/upscale.ts case: ImageUpscaleWithModel with a full-size RRDBNet (spandrel's ESRGAN arch,
# 23 blocks, 64 features, x4, seeded random weights), a 512x512 image, on the CPU with 2 torch threads.
# The model goes through spandrel's ModelLoader as UpscaleModelLoader does, the image through comfy.utils.tiled_scale
# as ImageUpscaleWithModel calls it (tile 512, overlap 32, upscale_amount=scale, no progress bar), then the clamp.
# Prints one JSON line: wall seconds of the upscale, peak RSS (ru_maxrss) before and after.
#   GOLDEN_REF_ROOT=/work/ref/golden /usr/bin/python3 bench/ref/comfy_upscale.py [size] [threads]
import json
import os
import resource
import sys
import time

os.environ.setdefault("GOLDEN_REF_ROOT", "/work/ref/golden")
sys.path.insert(0, os.environ.get("GOLDEN_SRC", "/work/shared/golden-src"))
import refenv  # noqa: E402

refenv.comfy()
refenv._stub("safetensors.torch", load_file=None)  # spandrel imports it; the weights here are made in memory
refenv._stub("torchvision.transforms.functional", InterpolationMode=type("I", (), {"NEAREST": 0, "BILINEAR": 2, "BICUBIC": 3}),
             rotate=None, normalize=None)  # names spandrel imports, never called here
sys.path.insert(0, os.path.join(refenv.REF, "spandrel", "libs", "spandrel"))
import torch  # noqa: E402
import comfy.utils  # noqa: E402
from spandrel import ModelLoader  # noqa: E402
from spandrel.architectures.ESRGAN.__arch.RRDB import RRDBNet  # noqa: E402

size = int(sys.argv[1]) if len(sys.argv) > 1 else 512
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
torch.set_num_threads(threads)
torch.manual_seed(0)
net = RRDBNet(in_nc=3, out_nc=3, num_filters=64, num_blocks=23, scale=4)
# small weights (uniform, 0.2/sqrt(fan_in) like bench/upscale.ts) keep the activations finite through 23 blocks
sd = {}
for k, v in net.state_dict().items():
    if k.endswith(".weight"):
        sd[k] = (torch.rand_like(v) - 0.5) * (0.2 / (v[0].numel() ** 0.5))
    else:
        sd[k] = torch.zeros_like(v)
model = ModelLoader().load_from_state_dict(sd).eval()
rss_model = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
i = torch.arange(size * size * 3, dtype=torch.float32)
image = (0.5 + 0.3 * torch.sin(i * 0.001)).reshape(1, size, size, 3)

t0 = time.perf_counter()
in_img = image.movedim(-1, -3)
s = comfy.utils.tiled_scale(in_img, lambda a: model(a), tile_x=512, tile_y=512, overlap=32, upscale_amount=model.scale)
s = torch.clamp(s.movedim(-3, -1), min=0, max=1.0)
secs = time.perf_counter() - t0
print(json.dumps({"arch": type(model.model).__name__, "size": size, "out": list(s.shape), "threads": threads,
                  "torch": torch.__version__, "seconds": round(secs, 2), "peak_rss_gib_model": round(rss_model, 3),
                  "peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 3)}))
