"""Recording a PyTorch model's layers through forward hooks.

PyTorch is not a dependency: the helper needs only what it calls on the model —
``named_modules()`` to find layers by name, ``register_forward_hook`` on each, the handles'
``remove()``, and optionally ``eval()``/``train()`` — and converts outputs with
``detach().cpu().numpy()`` when they have those methods. Any module system with the same
shape works.

Example::

    import ibplane.torch

    with ibplane.torch.record(model, layers=["fc1", "act1", "fc2"], inputs=X, labels=y,
                              label_kind="classes", path="run.bin") as rec:
        for epoch in range(epochs):
            train_one_epoch(model)
            rec.snapshot(epoch, metrics={"loss": loss})   # forward over X, one snapshot

Each layer's output is flattened to (batch, features) whatever its shape (a convolution's
(B, C, H, W) becomes (B, C·H·W)); mini-batches are concatenated in call order into one
N × width snapshot; the widths come from the first snapshot, so nothing is declared.
"""

import contextlib
import sys

import numpy as np

from .recorder import Recorder, _label_kind


def record(model, layers, labels, path, inputs=None, label_kind=None, batch_size=None, storage="float32",
           run=None, overwrite=False, fsync=False, eval_mode=True):
    """Registers forward hooks on ``layers`` of ``model`` and returns a :class:`LayerRecorder`.

    Parameters
    ----------
    model
        A ``torch.nn.Module`` (or anything with ``named_modules`` whose modules have
        ``register_forward_hook``).
    layers : list of str or (str, module)
        Module names as in ``dict(model.named_modules())`` (``"fc1"``, ``"features.3"``), or
        (name, module) pairs.
    labels : array_like or tensor, shape (N,) or (N, k)
        The label of every recorded sample, in the order of ``inputs``.
    path : str
        The ``activations.bin`` to create (refused if it exists unless ``overwrite``).
    inputs : array_like or tensor, optional
        The N samples to run at every :meth:`LayerRecorder.snapshot`; also stored as X (flattened).
    label_kind : {"classes", "targets"}, optional
        Integer labels default to classes; other dtypes are stored as targets with a warning.
    batch_size : int, optional
        Mini-batch size of the forward passes of :meth:`LayerRecorder.snapshot` (default: all N at once).
    eval_mode : bool
        Run snapshot forward passes in ``model.eval()`` (dropout off, batch-norm statistics
        frozen), restoring the previous mode afterwards.
    """
    return LayerRecorder(model, layers, labels, path, inputs, label_kind, batch_size, storage, run, overwrite, fsync,
                         eval_mode)


class LayerRecorder:
    """Hooks on named layers that turn forward passes into recorded snapshots.

    Hooks collect only inside :meth:`capture` or :meth:`snapshot`, so training passes cost
    nothing. :meth:`close` (or leaving the ``with`` block) removes every hook and closes the file.
    """

    def __init__(self, model, layers, labels, path, inputs, label_kind, batch_size, storage, run, overwrite, fsync,
                 eval_mode):
        self.model = model
        self.path = path
        self._targets = _resolve(model, layers)
        self._labels = _numpy(labels)
        self._kind = _label_kind(self._labels, label_kind, stacklevel=4)
        self._inputs = inputs
        self._batch_size = batch_size
        self._options = dict(storage=storage, run=run, overwrite=overwrite, fsync=fsync)
        self._eval_mode = eval_mode
        self._recorder = None
        self._collecting = False
        self._batches = {name: [] for name, _ in self._targets}
        self._handles = []
        try:
            for name, module in self._targets:
                self._handles.append(module.register_forward_hook(self._hook(name)))
        except BaseException:
            self.close()
            raise

    @property
    def layer_names(self):
        return [name for name, _ in self._targets]

    @property
    def sample_count(self):
        return int(self._labels.shape[0])

    def _hook(self, name):
        def hook(module, args, output):
            if self._collecting:
                self._batches[name].append(_flatten(name, output))
        return hook

    @contextlib.contextmanager
    def capture(self, epoch, step=None, metrics=None):
        """Collects the hooked outputs of the forward passes run inside the block, then records
        them as one snapshot: your passes must cover the N recorded samples once, in order."""
        if self._handles is None:
            raise ValueError("the recorder of %s is closed" % (self.path,))
        if self._collecting:
            raise RuntimeError("capture() blocks cannot be nested")
        for parts in self._batches.values():
            parts.clear()
        self._collecting = True
        try:
            yield self
        except BaseException:
            self._collecting = False
            for parts in self._batches.values():
                parts.clear()
            raise
        self._collecting = False
        self._write(epoch, epoch if step is None else step, metrics)

    def snapshot(self, epoch, step=None, metrics=None, inputs=None):
        """Runs the model over ``inputs`` (default: those given to :func:`record`) without
        gradients, in mini-batches of ``batch_size``, and records every hooked layer."""
        x = self._inputs if inputs is None else inputs
        if x is None:
            raise ValueError("snapshot() needs inputs: pass inputs= to record() or to snapshot(), or run your own "
                             "forward passes inside `with rec.capture(epoch):`")
        n = len(x)
        size = n if not self._batch_size else int(self._batch_size)
        training = getattr(self.model, "training", None)
        with self.capture(epoch, step, metrics), _no_grad():
            if self._eval_mode and hasattr(self.model, "eval"):
                self.model.eval()
            try:
                for start in range(0, n, max(size, 1)):
                    self.model(x[start:start + size])
            finally:
                if self._eval_mode and training and hasattr(self.model, "train"):
                    self.model.train(True)

    def _write(self, epoch, step, metrics):
        n = self.sample_count
        arrays = []
        for name, _ in self._targets:
            parts = self._batches[name]
            if not parts:
                raise RuntimeError("layer %r produced no output during the capture of epoch %s: is it used in the "
                                   "forward pass?" % (name, epoch))
            widths = sorted({p.shape[1] for p in parts})
            if len(widths) != 1:
                raise ValueError("layer %r produced batches of different widths %s in epoch %s" % (name, widths, epoch))
            a = np.concatenate(parts) if len(parts) > 1 else parts[0]
            parts.clear()
            if a.shape[0] != n:
                raise ValueError("layer %r saw %d samples during the capture of epoch %s, but the recording has "
                                 "N = %d (the labels): run the forward pass over exactly the recorded samples, once, "
                                 "in order" % (name, a.shape[0], epoch, n))
            arrays.append(a)
        if self._recorder is None:
            x = None if self._inputs is None else _numpy(self._inputs)
            if x is not None:
                x = x.reshape(x.shape[0], -1)
            self._recorder = Recorder(self.path, [(name, a.shape[1]) for (name, _), a in zip(self._targets, arrays)],
                                      self._labels, inputs=x, label_kind=self._kind, **self._options)
        metrics = {str(k): float(v) for k, v in (metrics or {}).items()}
        self._recorder.record(int(epoch), int(step), arrays, metrics=metrics)

    def close(self):
        """Removes the hooks and closes the file (idempotent)."""
        for handle in self._handles or []:
            handle.remove()
        self._handles = None
        if self._recorder is not None:
            self._recorder.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _resolve(model, layers):
    """(name, module) pairs for ``layers``, checked: names exist, none repeats."""
    if isinstance(layers, str):
        layers = [layers]
    modules = dict(model.named_modules()) if hasattr(model, "named_modules") else {}
    out = []
    for item in layers:
        if isinstance(item, str):
            if item not in modules:
                known = [k for k in modules if k]
                raise ValueError("the model has no module named %r; its modules: %s"
                                 % (item, ", ".join(known[:40]) + (", ..." if len(known) > 40 else "")))
            out.append((item, modules[item]))
        elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            out.append(item)
        else:
            raise TypeError("layers must be module names or (name, module) pairs, got %r" % (item,))
    names = [name for name, _ in out]
    if not out or len(set(names)) != len(names):
        raise ValueError("layers must name at least one module, each once; got %s" % (names,))
    return out


def _numpy(value):
    """A tensor or array-like as a numpy array (detached, on the CPU)."""
    if hasattr(value, "detach"):
        value = value.detach()
    if hasattr(value, "cpu"):
        value = value.cpu()
    if hasattr(value, "numpy"):
        try:
            value = value.numpy()
        except TypeError:  # bfloat16 and other types numpy lacks
            value = value.float().numpy()
    return np.asarray(value)


def _flatten(name, output):
    """One batch of a layer's output as a (batch, features) float32 copy."""
    if isinstance(output, (tuple, list)):
        raise TypeError("layer %r returned a %s, not one tensor; hook a module whose output is a single tensor"
                        % (name, type(output).__name__))
    a = np.array(_numpy(output), dtype=np.float32)
    if a.ndim == 0:
        raise ValueError("layer %r returned a scalar; expected a (batch, ...) tensor" % (name,))
    return a.reshape(a.shape[0], -1)


def _no_grad():
    """torch.no_grad() when PyTorch is loaded, else nothing."""
    torch = sys.modules.get("torch")
    return torch.no_grad() if torch is not None and hasattr(torch, "no_grad") else contextlib.nullcontext()
