"""A minimal numpy interpreter for the ONNX graphs this package exports (there is no onnxruntime for
Python here). It runs the exported file itself, so the export can be checked against PyTorch eager,
including at batch sizes other than the traced one. Only the operators these graphs use are supported."""
import numpy as np
from onnx import numpy_helper, helper


def _attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


_DTYPES = {1: np.float32, 6: np.int32, 7: np.int64, 9: np.bool_, 11: np.float64}


def _conv(x, w, a):
    kh, kw = w.shape[2:]
    strides = a.get("strides", [1, 1])
    if (list(strides) != [kh, kw] or any(a.get("pads", [0, 0, 0, 0])) or a.get("group", 1) != 1
            or list(a.get("dilations", [1, 1])) != [1, 1]):
        raise NotImplementedError("only non-overlapping patch convolutions")
    n, c, h, wd = x.shape
    gh, gw = h // kh, wd // kw
    patches = x[:, :, :gh * kh, :gw * kw].reshape(n, c, gh, kh, gw, kw).transpose(0, 2, 4, 1, 3, 5)
    out = patches.reshape(n, gh, gw, c * kh * kw) @ w.reshape(w.shape[0], -1).T
    return out.transpose(0, 3, 1, 2)


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _slice(x, starts, ends, axes=None, steps=None):
    axes = list(range(len(starts))) if axes is None else [int(v) for v in axes]
    steps = [1] * len(starts) if steps is None else steps
    sl = [slice(None)] * x.ndim
    for s, e, ax, st in zip(starts, ends, axes, steps):
        sl[ax] = slice(int(s), int(e), int(st))
    return x[tuple(sl)]


def _expand(x, shape):
    return x * np.ones(tuple(int(s) for s in shape), dtype=x.dtype)


def run(model, feeds):
    env = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    env.update(feeds)
    for node in model.graph.node:
        ins = [env[n] if n else None for n in node.input]
        a = _attrs(node)
        op = node.op_type
        if op == "Constant":
            out = numpy_helper.to_array(a["value"])
        elif op in ("Add", "Sub", "Mul", "Div", "Pow", "Equal"):
            f = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide, "Pow": np.power,
                 "Equal": np.equal}[op]
            out = f(ins[0], ins[1])
            if op != "Equal":
                out = out.astype(ins[0].dtype)
        elif op == "MatMul":
            out = np.matmul(ins[0], ins[1])
        elif op == "Gemm":
            x, w = ins[0], ins[1]
            x = x.T if a.get("transA", 0) else x
            w = w.T if a.get("transB", 0) else w
            out = a.get("alpha", 1.0) * (x @ w) + (a.get("beta", 1.0) * ins[2] if len(ins) > 2 else 0)
        elif op == "Sqrt":
            out = np.sqrt(ins[0])
        elif op == "Sigmoid":
            out = (1 / (1 + np.exp(-ins[0]))).astype(ins[0].dtype)
        elif op == "Softmax":
            out = _softmax(ins[0], a.get("axis", -1))
        elif op == "ReduceMean":
            out = ins[0].mean(axis=tuple(a["axes"]), keepdims=bool(a.get("keepdims", 1)))
        elif op == "Shape":
            out = np.array(ins[0].shape, dtype=np.int64)
        elif op == "Gather":
            out = np.take(ins[0], ins[1].astype(np.int64), axis=a.get("axis", 0))
        elif op == "GatherElements":
            out = np.take_along_axis(ins[0], ins[1].astype(np.int64), axis=a.get("axis", 0))
        elif op == "Unsqueeze":
            out = ins[0]
            for ax in sorted(int(v) for v in ins[1]):
                out = np.expand_dims(out, ax if ax >= 0 else ax + out.ndim + 1)
        elif op == "Squeeze":
            out = np.squeeze(ins[0], axis=tuple(int(v) for v in ins[1]) if len(ins) > 1 else None)
        elif op == "Concat":
            out = np.concatenate(ins, axis=a["axis"])
        elif op == "Reshape":
            shape = [int(s) for s in ins[1]]
            shape = [ins[0].shape[i] if s == 0 else s for i, s in enumerate(shape)]
            out = ins[0].reshape(shape)
        elif op == "Transpose":
            out = np.transpose(ins[0], a.get("perm"))
        elif op == "Slice":
            out = _slice(ins[0], ins[1], ins[2], *(ins[3:5]))
        elif op == "ConstantOfShape":
            value = numpy_helper.to_array(a["value"]) if "value" in a else np.zeros(1, np.float32)
            out = np.full(tuple(int(s) for s in ins[0]), value[0], dtype=value.dtype)
        elif op == "Where":
            out = np.where(ins[0], ins[1], ins[2])
        elif op == "Expand":
            out = _expand(ins[0], ins[1])
        elif op == "Cast":
            out = ins[0].astype(_DTYPES[a["to"]])
        elif op == "ArgMax":
            if a.get("select_last_index", 0):
                raise NotImplementedError("select_last_index")
            out = np.argmax(ins[0], axis=a.get("axis", 0))
            if a.get("keepdims", 1):
                out = np.expand_dims(out, a.get("axis", 0))
            out = out.astype(np.int64)
        elif op == "Conv":
            out = _conv(ins[0], ins[1], a)
            if len(ins) > 2 and ins[2] is not None:
                out = out + ins[2].reshape(1, -1, 1, 1)
        else:
            raise NotImplementedError(op)
        env[node.output[0]] = out
    return [env[o.name] for o in model.graph.output]
