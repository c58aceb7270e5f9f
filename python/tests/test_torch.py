"""ibplane.torch.record against a duck-typed module system (and real PyTorch when installed)."""

import numpy as np
import pytest

import ibplane
import ibplane.torch


class Handle:
    def __init__(self, hooks, fn):
        self.hooks, self.fn = hooks, fn

    def remove(self):
        if self.fn in self.hooks:
            self.hooks.remove(self.fn)


class Module:
    """The part of torch.nn.Module the helper relies on."""

    def __init__(self, **children):
        self.hooks, self.children, self.training = [], children, True

    def register_forward_hook(self, fn):
        self.hooks.append(fn)
        return Handle(self.hooks, fn)

    def named_modules(self, prefix=""):
        yield prefix, self
        for name, child in self.children.items():
            yield from child.named_modules(prefix + ("." if prefix else "") + name)

    def train(self, mode=True):
        self.training = mode
        for c in self.children.values():
            c.train(mode)
        return self

    def eval(self):
        return self.train(False)

    def __call__(self, x):
        out = self.forward(x)
        for hook in list(self.hooks):
            hook(self, (x,), out)
        return out


class Linear(Module):
    def __init__(self, w):
        super().__init__()
        self.w = w

    def forward(self, x):
        return x @ self.w


class Tanh(Module):
    def forward(self, x):
        return np.tanh(x)


class Feature(Module):
    """A 'convolution' output: (B, 2, 2, 2), and it records the mode it ran in."""

    modes = []

    def forward(self, x):
        Feature.modes.append(self.training)
        return np.repeat(x[:, :2, None, None], 4, axis=2).reshape(len(x), 2, 2, 2) * np.arange(1, 9).reshape(1, 2, 2, 2)


class Net(Module):
    def __init__(self, rng):
        super().__init__(fc1=Linear(rng.normal(size=(4, 3))), act=Tanh(), block=Module(conv=Feature()))

    def forward(self, x):
        h = self.children["act"](self.children["fc1"](x))
        return self.children["block"].children["conv"](h)


def expected(net, x):
    """fc1, act and block.conv (flattened) on x, computed without hooks."""
    fc1 = x @ net.children["fc1"].w
    act = np.tanh(fc1)
    conv = np.repeat(act[:, :2, None, None], 4, axis=2).reshape(len(x), 2, 2, 2) * np.arange(1, 9).reshape(1, 2, 2, 2)
    return [fc1, act, conv.reshape(len(x), -1)]


def test_snapshots_flatten_concatenate_and_hooks_go_away(tmp_path):
    rng = np.random.default_rng(0)
    net = Net(rng)
    x = rng.normal(size=(50, 4))
    y = rng.integers(0, 2, 50)
    path = tmp_path / "hooks.bin"
    with ibplane.torch.record(net, layers=["fc1", "act", "block.conv"], inputs=x, labels=y, path=str(path),
                              batch_size=16) as rec:
        for epoch in range(3):
            net(x[:7])  # a training pass: not recorded
            net.children["fc1"].w *= 1.5
            Feature.modes.clear()
            rec.snapshot(epoch, metrics={"loss": 1.0 / (1 + epoch)})
            assert Feature.modes == [False] * 4 and net.training  # 4 batches in eval mode, mode restored
        final = expected(net, x)
    assert all(not m.hooks for _, m in net.named_modules())
    with ibplane.open_recording(str(path)) as r:
        assert r.layers == [("fc1", 3), ("act", 3), ("block.conv", 8)]
        assert [s["epoch"] for s in r.snapshots] == [0, 1, 2] and r.snapshots[2]["metrics"] == {"loss": 1 / 3}
        np.testing.assert_array_equal(r.inputs, x.astype(np.float32))
        np.testing.assert_array_equal(r.labels, y)
        for k in range(3):
            np.testing.assert_allclose(r.layer(k, 2), final[k], rtol=1e-6)


def test_capture_records_the_users_own_passes(tmp_path):
    rng = np.random.default_rng(1)
    net = Net(rng)
    x = rng.normal(size=(30, 4))
    with ibplane.torch.record(net, ["act"], labels=np.arange(30) % 3, path=str(tmp_path / "c.bin")) as rec:
        with rec.capture(epoch=5, step=50):
            for start in range(0, 30, 8):
                net(x[start:start + 8])
        with pytest.raises(ValueError, match=r"layer 'act' saw 16 samples during the capture of epoch 6, but the "
                                             r"recording has N = 30"):
            with rec.capture(epoch=6):
                net(x[:16])
        with pytest.raises(ValueError, match="snapshot\\(\\) needs inputs"):
            rec.snapshot(7)
    with ibplane.open_recording(str(tmp_path / "c.bin")) as r:
        assert [(s["epoch"], s["step"]) for s in r.snapshots] == [(5, 50)]
        np.testing.assert_allclose(r.layer("act", 0), np.tanh(x @ net.children["fc1"].w), rtol=1e-6)


def test_hooks_are_removed_when_the_block_raises(tmp_path):
    net = Net(np.random.default_rng(2))
    with pytest.raises(KeyError):
        with ibplane.torch.record(net, ["act"], labels=np.zeros(3, int), path=str(tmp_path / "e.bin")):
            raise KeyError("boom")
    assert all(not m.hooks for _, m in net.named_modules())


def test_unknown_layer_and_float_labels(tmp_path):
    net = Net(np.random.default_rng(3))
    with pytest.raises(ValueError, match="the model has no module named 'fc2'; its modules: fc1, act, block, block.conv"):
        ibplane.torch.record(net, ["fc2"], labels=np.zeros(3, int), path=str(tmp_path / "u.bin"))
    assert all(not m.hooks for _, m in net.named_modules())
    with pytest.warns(UserWarning, match="pass label_kind='classes'") as caught:
        rec = ibplane.torch.record(net, ["act"], labels=np.zeros(3), path=str(tmp_path / "f.bin"))
    assert caught[0].filename == __file__  # the warning points at the caller
    rec.close()


def test_real_torch(tmp_path):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(8, 2))
    x = torch.randn(20, 1, 4, 4)
    y = torch.randint(0, 2, (20,))
    with ibplane.torch.record(model, ["0", "1", "3"], inputs=x, labels=y, path=str(tmp_path / "t.bin"),
                              batch_size=6) as rec:
        rec.snapshot(0)
    with torch.no_grad():
        conv = model[0](x)
    with ibplane.open_recording(str(tmp_path / "t.bin")) as r:
        assert r.layers == [("0", 8), ("1", 8), ("3", 2)] and r.label_kind == "classes"
        np.testing.assert_allclose(r.layer("0", 0), conv.reshape(20, -1).numpy(), rtol=1e-6)


def test_star_import_does_not_shadow_pytorch():
    namespace = {"torch": "the user's torch"}
    exec("from ibplane import *", namespace)
    assert namespace["torch"] == "the user's torch"
