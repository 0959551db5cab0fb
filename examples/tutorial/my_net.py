"""A small multi-task network in PyTorch, exported to ONNX for mtl-split.

One shared backbone, two task heads: `shape` (3 classes) and `colour` (4 classes) of a 3x32x32 image.
Usage: python3 my_net.py OUT.onnx
"""
import sys

import torch
from torch import nn


def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(), nn.MaxPool2d(2))


class MyNet(nn.Module):
    def __init__(self):
        super().__init__()
        # shared backbone: 3x32x32 -> 16x16x16 -> 32x8x8 -> a 4-channel bottleneck (4x8x8)
        self.backbone = nn.Sequential(block(3, 16), block(16, 32), nn.Conv2d(32, 4, 1), nn.ReLU(), nn.Flatten())
        self.shape = nn.Sequential(nn.Linear(4 * 8 * 8, 32), nn.ReLU(), nn.Linear(32, 3))
        self.colour = nn.Sequential(nn.Linear(4 * 8 * 8, 32), nn.ReLU(), nn.Linear(32, 4))

    def forward(self, image):
        features = self.backbone(image)
        return self.shape(features), self.colour(features)  # one output per task, in task order


torch.manual_seed(0)
model = MyNet().eval()  # load your trained weights here: model.load_state_dict(torch.load("my-net.pt"))
torch.onnx.export(
    model,
    torch.rand(1, 3, 32, 32),
    sys.argv[1],
    input_names=["image"],
    output_names=["shape", "colour"],  # the outputs' names are the task names
    dynamic_axes={"image": {0: "N"}, "shape": {0: "N"}, "colour": {0: "N"}},
    opset_version=17,
)
print(f"wrote {sys.argv[1]}")
