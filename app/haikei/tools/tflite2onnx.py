"""Convert float / fp16-weight TFLite models to ONNX (developer tool).

Why this exists
---------------
Haikei runs its person-segmentation models with onnxruntime, but the models we
ship come from MediaPipe as ``.tflite`` files (``selfie_segmentation*.tflite``,
Apache-2.0).  Those models end in MediaPipe's *custom* op
``Convolution2DTransposeBias`` (a transposed convolution with a bias), which
off-the-shelf converters (tf2onnx, tflite2onnx, ...) refuse to convert.  The
op set used by these models is small and purely convolutional, so this module
implements the conversion directly:

* the ``.tflite`` flatbuffer is parsed with the TFLite schema bindings that
  ship inside the ``mediapipe`` wheel
  (``mediapipe.tasks.metadata.schema_py_generated``);
* fp16 weights behind ``DEQUANTIZE`` ops are folded into float32 initializers;
* every operator is translated by a handler from a table (``_HANDLERS``); an
  unsupported op aborts the conversion with a :class:`ConversionError` naming
  every unsupported op in the model;
* internally the ONNX graph works in NCHW (what ONNX ``Conv`` etc. expect),
  with one ``Transpose`` after the graph input and one before the graph output,
  so the external interface is identical to the TFLite model's: NHWC in, NHWC
  out, same shapes, same dtype;
* the output is deterministic (no timestamps, fixed IR version / opset /
  producer strings), so the sha256 of a converted model is stable and the
  committed ``models/*.onnx`` can be re-derived and checked byte for byte.

Spatially dynamic graphs (``--dynamic``)
----------------------------------------
A TFLite model records one fixed size for every tensor, but a fully
convolutional model (convolutions, global pooling, 2x upsampling; the selfie
models) computes the same thing at any size whose sides are multiples of its
*stride* (how many times its deepest feature map is smaller than the input):
at such sizes every strided convolution sees sides divisible by its stride,
so its SAME padding is the same as at the recorded size, and every 2x
upsampling lands exactly on the size of the skip connection it is added to.  With ``dynamic=True`` the graph's input
and output height and width are symbolic (``height``, ``width``), upsampling
``Resize`` nodes take ``scales`` instead of fixed ``sizes``, and the stride is
stored in the model's metadata (``input_stride``) and printed.  A model whose
feature maps are not whole fractions of its input is refused.

Usage::

    python -m haikei.tools.tflite2onnx IN.tflite OUT.onnx [--dynamic]

This is a development tool: it needs ``onnx`` and ``mediapipe`` (only for the
schema bindings), which are imported lazily.  The application itself never
imports this module.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import struct
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

__all__ = ["ConversionError", "convert", "convert_bytes", "input_stride", "main"]

#: ONNX operator set emitted.  17 keeps ``ReduceMean`` axes as an attribute and
#: is supported by every onnxruntime release of the last few years.
OPSET = 17
#: IR version pinned (instead of "whatever the installed onnx writes") so that
#: the produced bytes do not depend on the onnx package version.
IR_VERSION = 8
PRODUCER_NAME = "haikei.tools.tflite2onnx"
PRODUCER_VERSION = "1"

#: Default external names when the model has exactly one input / output.
DEFAULT_INPUT_NAME = "input"
DEFAULT_OUTPUT_NAME = "mask"
#: Names of the symbolic input dimensions of a dynamic graph.
DYNAMIC_DIMS = ("height", "width")

# NHWC axis -> NCHW axis, and the permutations between the two layouts.
_NHWC_TO_NCHW_AXIS = {0: 0, 1: 2, 2: 3, 3: 1}
_TO_NCHW = (0, 3, 1, 2)
_TO_NHWC = (0, 2, 3, 1)

# TfLitePadding (C API enum, used by MediaPipe's custom ops' raw option structs).
_TFLITE_C_PADDING = {1: "SAME", 2: "VALID"}


class ConversionError(RuntimeError):
    """The TFLite model uses something this converter does not support."""


def _import_deps():
    try:
        import onnx
        from onnx import helper, numpy_helper
    except ImportError as exc:  # pragma: no cover - dev dependency missing
        raise ConversionError("the 'onnx' package is required (it is a development dependency)") from exc
    try:
        from mediapipe.tasks.metadata import schema_py_generated as schema
    except ImportError as exc:  # pragma: no cover
        raise ConversionError("the 'mediapipe' package is required for the TFLite schema bindings") from exc
    return onnx, helper, numpy_helper, schema


def _enum_names(cls) -> dict[int, str]:
    return {v: k for k, v in vars(cls).items() if not k.startswith("_") and isinstance(v, int)}


class _Converter:
    """Holds the state of one conversion (one TFLite subgraph -> one ONNX graph)."""

    def __init__(
        self, data: bytes, *, source_name: str, input_name: str | None, output_name: str | None, dynamic: bool = False
    ):
        onnx, helper, numpy_helper, S = _import_deps()
        self.onnx, self.helper, self.nph, self.S = onnx, helper, numpy_helper, S
        self.data = data
        self.source_name = source_name
        self.input_name = input_name
        self.output_name = output_name
        self.dynamic = dynamic
        #: With ``dynamic``: the input sides must be multiples of this (see the module docstring).
        self.stride = 1
        self.input_hw: tuple[int, int] | None = None  # set for a dynamic graph

        if data[4:8] != b"TFL3":
            raise ConversionError(f"{source_name}: not a TFLite flatbuffer (no TFL3 identifier)")
        self.model = S.Model.GetRootAsModel(data, 0)
        if self.model.SubgraphsLength() < 1:
            raise ConversionError(f"{source_name}: model has no subgraph")
        self.g = self.model.Subgraphs(0)

        self.builtin_names = _enum_names(S.BuiltinOperator)
        self.type_names = _enum_names(S.TensorType)
        self.np_types = {
            S.TensorType.FLOAT32: np.float32,
            S.TensorType.FLOAT16: np.float16,
            S.TensorType.INT32: np.int32,
            S.TensorType.INT64: np.int64,
            S.TensorType.INT16: np.int16,
            S.TensorType.INT8: np.int8,
            S.TensorType.UINT8: np.uint8,
            S.TensorType.BOOL: np.bool_,
        }

        self.consts: dict[int, np.ndarray] = {}  # tflite tensor -> value (TFLite layout)
        self.values: dict[int, str] = {}  # tflite tensor -> ONNX value name (NCHW if 4-D)
        self.nodes: list = []
        self.initializers: list = []
        self._names: set[str] = set()
        self._node_count = 0
        self._load_constants()

    # ------------------------------------------------------------------ tensors
    def tensor(self, idx: int):
        return self.g.Tensors(idx)

    def tname(self, idx: int) -> str:
        return self.tensor(idx).Name().decode("utf-8", "replace")

    def shape(self, idx: int) -> tuple[int, ...]:
        t = self.tensor(idx)
        return tuple(int(d) for d in t.ShapeAsNumpy()) if t.ShapeLength() else ()

    def ttype(self, idx: int) -> int:
        return self.tensor(idx).Type()

    def _buffer_bytes(self, buffer_index: int) -> bytes:
        buf = self.model.Buffers(buffer_index)
        if buf is None:
            return b""
        if buf.DataLength():
            return buf.DataAsNumpy().tobytes()
        # Models > 2 GiB keep buffers after the flatbuffer (offset/size).
        offset, size = buf.Offset(), buf.Size()
        if offset > 1 and size:
            return self.data[offset : offset + size]
        return b""

    def _load_constants(self) -> None:
        for idx in range(self.g.TensorsLength()):
            t = self.tensor(idx)
            raw = self._buffer_bytes(t.Buffer())
            if not raw:
                continue
            if t.Sparsity() is not None:
                raise ConversionError(f"tensor {self.tname(idx)!r}: sparse tensors are not supported")
            dtype = self.np_types.get(t.Type())
            if dtype is None:
                raise ConversionError(
                    f"tensor {self.tname(idx)!r}: unsupported constant type {self.type_names.get(t.Type(), t.Type())}"
                )
            arr = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<"))
            self.consts[idx] = arr.reshape(self.shape(idx)).astype(dtype)

    def const(self, idx: int, what: str) -> np.ndarray:
        if idx not in self.consts:
            raise ConversionError(f"{what} ({self.tname(idx)!r}) must be a constant tensor")
        return self.consts[idx]

    # ------------------------------------------------------------------ naming / emitting
    def unique(self, base: str) -> str:
        name, n = base, 1
        while name in self._names:
            n += 1
            name = f"{base}_{n}"
        self._names.add(name)
        return name

    def add_initializer(self, arr: np.ndarray, base: str) -> str:
        name = self.unique(base)
        self.initializers.append(self.nph.from_array(np.ascontiguousarray(arr), name))
        return name

    def node(self, op_type: str, inputs: list[str], outputs: list[str], **attrs) -> None:
        self._node_count += 1
        self.nodes.append(
            self.helper.make_node(op_type, inputs, outputs, name=f"{op_type}_{self._node_count}", **attrs)
        )

    def value(self, idx: int) -> str:
        """ONNX name of tflite tensor ``idx`` (4-D tensors are NCHW)."""
        if idx in self.values:
            return self.values[idx]
        if idx in self.consts:
            arr = self.consts[idx]
            if arr.dtype == np.float16:
                arr = arr.astype(np.float32)
            if arr.ndim == 4:
                arr = arr.transpose(_TO_NCHW)
            name = self.add_initializer(arr, self.tname(idx))
            self.values[idx] = name
            return name
        raise ConversionError(f"tensor {self.tname(idx)!r} is used before it is produced")

    def broadcast_value(self, idx: int, out_rank: int) -> str:
        """Like :meth:`value`, but lifts lower-rank operands of a 4-D elementwise op
        to 4-D NCHW so that TFLite's (NHWC, right-aligned) broadcasting still holds."""
        rank = len(self.shape(idx))
        if out_rank != 4 or rank == 4:
            return self.value(idx)
        nhwc_shape = (1,) * (4 - rank) + self.shape(idx)
        if idx in self.consts:
            arr = self.consts[idx].astype(np.float32).reshape(nhwc_shape).transpose(_TO_NCHW)
            return self.add_initializer(arr, self.tname(idx) + "/nchw")
        src = self.value(idx)
        shape_name = self.add_initializer(np.array(nhwc_shape, np.int64), self.tname(idx) + "/shape4d")
        nhwc = self.unique(self.tname(idx) + "/nhwc4d")
        out = self.unique(self.tname(idx) + "/nchw")
        self.node("Reshape", [src, shape_name], [nhwc])
        self.node("Transpose", [nhwc], [out], perm=list(_TO_NCHW))
        return out

    def output_name_for(self, idx: int) -> str:
        name = self.unique(self.tname(idx))
        self.values[idx] = name
        return name

    def emit_with_activation(self, op_type: str, inputs: list[str], out_idx: int, activation: int, **attrs) -> None:
        """Emit ``op_type`` writing tflite tensor ``out_idx``, followed by a fused activation."""
        A = self.S.ActivationFunctionType
        if activation == A.NONE:
            self.node(op_type, inputs, [self.output_name_for(out_idx)], **attrs)
            return
        pre = self.unique(self.tname(out_idx) + "/pre_activation")
        self.node(op_type, inputs, [pre], **attrs)
        out = self.output_name_for(out_idx)
        if activation == A.RELU:
            self.node("Relu", [pre], [out])
        elif activation == A.RELU6:
            self.node("Clip", [pre, self.scalar(0.0), self.scalar(6.0)], [out])
        elif activation == A.RELU_N1_TO_1:
            self.node("Clip", [pre, self.scalar(-1.0), self.scalar(1.0)], [out])
        elif activation == A.TANH:
            self.node("Tanh", [pre], [out])
        else:
            raise ConversionError(f"unsupported fused activation {activation} on {self.tname(out_idx)!r}")

    def scalar(self, v: float) -> str:
        base = f"const_f32_{v:g}"
        if base not in self._names:
            self._names.add(base)
            self.initializers.append(self.nph.from_array(np.array(v, np.float32), base))
        return base

    # ------------------------------------------------------------------ op options
    def options(self, op, cls_name: str, required: bool = True):
        table = op.BuiltinOptions()
        if table is None:
            if required:
                raise ConversionError(f"missing {cls_name}")
            return None
        expected = getattr(self.S.BuiltinOptions, cls_name)
        if op.BuiltinOptionsType() != expected:
            raise ConversionError(f"unexpected builtin options type {op.BuiltinOptionsType()} (wanted {cls_name})")
        opts = getattr(self.S, cls_name)()
        opts.Init(table.Bytes, table.Pos)
        return opts

    def op_name(self, op) -> str:
        code = self.model.OperatorCodes(op.OpcodeIndex())
        builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
        name = self.builtin_names.get(builtin, f"BUILTIN_{builtin}")
        if name == "CUSTOM":
            custom = code.CustomCode()
            name = "CUSTOM:" + (custom.decode("utf-8", "replace") if custom else "?")
        return name

    # ------------------------------------------------------------------ driver
    def run(self):
        ops = [self.g.Operators(i) for i in range(self.g.OperatorsLength())]
        names = [self.op_name(op) for op in ops]
        missing = sorted({n for n in names if n not in _HANDLERS})
        if missing:
            counts = ", ".join(f"{n} (x{names.count(n)})" for n in missing)
            raise ConversionError(
                f"{self.source_name}: unsupported TFLite op(s): {counts}. Supported: {', '.join(sorted(_HANDLERS))}"
            )

        S = self.S
        in_idx = [int(i) for i in self.g.InputsAsNumpy()]
        if self.dynamic:
            if len(in_idx) != 1 or len(self.shape(in_idx[0])) != 4:
                raise ConversionError(f"{self.source_name}: a dynamic graph needs one 4-D (NHWC) input")
            self.input_hw = _nhwc_hw(self.shape(in_idx[0]))
        out_idx = [int(i) for i in self.g.OutputsAsNumpy()]
        # Reserve the external names first so no internal tensor can take them.
        in_ext = [
            self.unique(self.input_name if (self.input_name and len(in_idx) == 1) else self.tname(i)) for i in in_idx
        ]
        out_ext = [
            self.unique(self.output_name if (self.output_name and len(out_idx) == 1) else self.tname(i))
            for i in out_idx
        ]
        graph_inputs = []
        for idx, ext in zip(in_idx, in_ext):
            if self.ttype(idx) != S.TensorType.FLOAT32:
                raise ConversionError(f"graph input {self.tname(idx)!r} is not float32")
            graph_inputs.append(
                self.helper.make_tensor_value_info(ext, self.onnx.TensorProto.FLOAT, self.external_dims(idx))
            )
            if len(self.shape(idx)) == 4:
                internal = self.unique(ext + "/nchw")
                self.node("Transpose", [ext], [internal], perm=list(_TO_NCHW))
                self.values[idx] = internal
            else:
                self.values[idx] = ext

        for op, name in zip(ops, names):
            ins = [int(i) for i in op.InputsAsNumpy()] if op.InputsLength() else []
            outs = [int(i) for i in op.OutputsAsNumpy()]
            try:
                _HANDLERS[name](self, op, ins, outs)
            except ConversionError as exc:
                raise ConversionError(f"{self.source_name}: {name} -> {self.tname(outs[0])!r}: {exc}") from None
            for o in outs:
                if o not in self.consts and self.ttype(o) != S.TensorType.FLOAT32:
                    raise ConversionError(
                        f"{self.source_name}: {name} produces non-float tensor {self.tname(o)!r} "
                        f"({self.type_names.get(self.ttype(o))}); only float models are supported"
                    )
        if self.dynamic:  # after the ops: DEQUANTIZE has folded the weights into constants by now
            self.stride = self._spatial_stride()

        graph_outputs = []
        for idx, ext in zip(out_idx, out_ext):
            src = self.value(idx)
            if len(self.shape(idx)) == 4:
                self.node("Transpose", [src], [ext], perm=list(_TO_NHWC))
            else:
                self.node("Identity", [src], [ext])
            graph_outputs.append(
                self.helper.make_tensor_value_info(ext, self.onnx.TensorProto.FLOAT, self.external_dims(idx))
            )

        graph = self.helper.make_graph(
            self.nodes,
            Path(self.source_name).stem,
            graph_inputs,
            graph_outputs,
            initializer=self.initializers,
            doc_string=f"Converted from {self.source_name} by {PRODUCER_NAME}.",
        )
        model = self.helper.make_model(
            graph,
            opset_imports=[self.helper.make_opsetid("", OPSET)],
            producer_name=PRODUCER_NAME,
            producer_version=PRODUCER_VERSION,
        )
        model.ir_version = IR_VERSION
        props = {"source_file": self.source_name, "source_sha256": hashlib.sha256(self.data).hexdigest()}
        if self.dynamic:
            props["input_stride"] = str(self.stride)
        self.helper.set_model_props(model, props)
        self._check(model)
        return model

    def external_dims(self, idx: int) -> list:
        """Shape of a graph input / output: TFLite's, or with ``dynamic`` symbolic height and width
        where the tensor has the input's own size."""
        shape = list(self.shape(idx))
        if self.dynamic and len(shape) == 4:
            if tuple(shape[1:3]) != self.input_hw:
                raise ConversionError(
                    f"{self.source_name}: graph output {self.tname(idx)!r} is "
                    f"{shape[1]}x{shape[2]}, not the input's size; no dynamic graph"
                )
            shape[1:3] = DYNAMIC_DIMS
        return shape

    def _spatial_stride(self) -> int:
        """How many times the deepest feature map is smaller than the input, checking that every
        feature map (except 1x1 global pools) is the input divided by a factor of it."""
        in_h, in_w = self.input_hw
        factors = {1}
        for idx in range(self.g.TensorsLength()):
            shape = self.shape(idx)
            if idx in self.consts or len(shape) != 4 or tuple(shape[1:3]) == (1, 1):
                continue
            h, w = shape[1:3]
            if in_h % h or in_w % w or in_h // h != in_w // w:
                raise ConversionError(
                    f"{self.source_name}: tensor {self.tname(idx)!r} is {h}x{w} for a {in_h}x{in_w} input, "
                    "not a whole fraction of it; the model is not fully convolutional (no dynamic graph)"
                )
            factors.add(in_h // h)
        stride = max(factors)
        if any(stride % f for f in factors):
            raise ConversionError(
                f"{self.source_name}: feature maps at 1/{sorted(factors)} of the input "
                "have no common stride; no dynamic graph"
            )
        return stride

    def _check(self, model) -> None:
        """onnx.checker plus a shape-inference cross-check against the TFLite shapes.

        In a dynamic graph, every height and width that TFLite records above 1 must be left free by
        the inference (a fixed one would be a size baked into the graph); 1s and channels must match.
        """
        self.onnx.checker.check_model(model, full_check=True)
        inferred = self.onnx.shape_inference.infer_shapes(model, strict_mode=True)
        dims = {}
        for vi in list(inferred.graph.value_info) + list(inferred.graph.output):
            dims[vi.name] = [d.dim_value if d.HasField("dim_value") else None for d in vi.type.tensor_type.shape.dim]
        for idx, name in self.values.items():
            if name not in dims or idx in self.consts:
                continue
            want = list(self.shape(idx))
            if len(want) == 4:
                want = [want[p] for p in _TO_NCHW]
                if self.dynamic:
                    want[2:] = [None if d > 1 else d for d in want[2:]]
            if dims[name] != want:
                raise ConversionError(
                    f"shape mismatch for {self.tname(idx)!r}: ONNX infers {dims[name]}, TFLite (NCHW) says {want}"
                )


# ---------------------------------------------------------------------- helpers
def _conv_pads(padding: str, in_hw, k_hw, s_hw, d_hw, out_hw) -> list[int]:
    """TFLite SAME/VALID padding as explicit ONNX pads [top, left, bottom, right]."""
    begin, end = [], []
    for i, k, s, d, o in zip(in_hw, k_hw, s_hw, d_hw, out_hw):
        eff = (k - 1) * d + 1
        if padding == "SAME":
            expected = math.ceil(i / s)
            total = max((expected - 1) * s + eff - i, 0)
        elif padding == "VALID":
            expected = math.ceil((i - eff + 1) / s)
            total = 0
        else:
            raise ConversionError(f"unknown padding {padding!r}")
        if expected != o:
            raise ConversionError(f"{padding} padding gives spatial size {expected}, model says {o}")
        begin.append(total // 2)
        end.append(total - total // 2)
    return begin + end


def _padding_name(c: _Converter, value: int) -> str:
    P = c.S.Padding
    return {P.SAME: "SAME", P.VALID: "VALID"}.get(value, str(value))


def _nhwc_hw(shape) -> tuple[int, int]:
    if len(shape) != 4:
        raise ConversionError(f"expected a 4-D NHWC tensor, got shape {list(shape)}")
    return shape[1], shape[2]


def _bias(c: _Converter, ins: list[int], n_out: int, base: str) -> list[str]:
    if len(ins) < 3 or ins[2] < 0:
        return []
    b = c.const(ins[2], "bias").astype(np.float32).reshape(-1)
    if b.shape != (n_out,):
        raise ConversionError(f"bias has shape {b.shape}, expected ({n_out},)")
    return [c.add_initializer(b, base)]


# ---------------------------------------------------------------------- op handlers
Handler = Callable[[_Converter, object, list, list], None]


def _dequantize(c: _Converter, op, ins, outs):
    src, dst = ins[0], outs[0]
    if src in c.consts:  # fold: weights stored as fp16 / int8 -> float32 initializer
        q = c.consts[src]
        if q.dtype == np.float16 or q.dtype == np.float32:
            c.consts[dst] = q.astype(np.float32)
            return
        quant = c.tensor(src).Quantization()
        if quant is None or quant.ScaleLength() == 0:
            raise ConversionError("integer DEQUANTIZE input without quantization parameters")
        scale = quant.ScaleAsNumpy().astype(np.float32)
        zero = quant.ZeroPointAsNumpy().astype(np.float32) if quant.ZeroPointLength() else np.zeros_like(scale)
        if scale.size > 1:
            bshape = [1] * q.ndim
            bshape[quant.QuantizedDimension()] = scale.size
            scale, zero = scale.reshape(bshape), zero.reshape(bshape)
        c.consts[dst] = ((q.astype(np.float32) - zero) * scale).astype(np.float32)
        return
    if c.ttype(src) == c.S.TensorType.FLOAT16:
        c.node("Cast", [c.value(src)], [c.output_name_for(dst)], to=c.onnx.TensorProto.FLOAT)
        return
    raise ConversionError("DEQUANTIZE of a runtime integer tensor (quantized model) is not supported")


def _conv_2d(c: _Converter, op, ins, outs):
    o = c.options(op, "Conv2DOptions")
    w = c.const(ins[1], "CONV_2D filter").astype(np.float32)  # OHWI
    c_in = c.shape(ins[0])[3]
    if c_in % w.shape[3]:
        raise ConversionError(f"input channels {c_in} not a multiple of filter depth {w.shape[3]}")
    _emit_conv(c, o, ins, outs, w.transpose(0, 3, 1, 2), group=c_in // w.shape[3])


def _emit_conv(c: _Converter, o, ins, outs, w_oihw: np.ndarray, group: int):
    """An ONNX Conv for a TFLite (depthwise) convolution whose filter is already OIHW."""
    x_shape, y_shape = c.shape(ins[0]), c.shape(outs[0])
    k_hw, s_hw = w_oihw.shape[2:4], (o.StrideH(), o.StrideW())
    d_hw = (o.DilationHFactor() or 1, o.DilationWFactor() or 1)
    pads = _conv_pads(_padding_name(c, o.Padding()), _nhwc_hw(x_shape), k_hw, s_hw, d_hw, _nhwc_hw(y_shape))
    base = c.tname(outs[0])
    inputs = [c.value(ins[0]), c.add_initializer(w_oihw, base + "/W")]
    inputs += _bias(c, ins, w_oihw.shape[0], base + "/B")
    c.emit_with_activation(
        "Conv",
        inputs,
        outs[0],
        o.FusedActivationFunction(),
        kernel_shape=list(k_hw),
        strides=list(s_hw),
        dilations=list(d_hw),
        pads=pads,
        group=group,
    )


def _depthwise_conv_2d(c: _Converter, op, ins, outs):
    o = c.options(op, "DepthwiseConv2DOptions")
    w = c.const(ins[1], "DEPTHWISE_CONV_2D filter").astype(np.float32)  # 1 x H x W x (Cin*M)
    x_shape, y_shape = c.shape(ins[0]), c.shape(outs[0])
    c_in, c_out = x_shape[3], w.shape[3]
    if w.shape[0] != 1 or c_out % c_in or c_out != y_shape[3]:
        raise ConversionError(f"unexpected depthwise filter shape {list(w.shape)} for input {list(x_shape)}")
    _emit_conv(c, o, ins, outs, w.transpose(3, 0, 1, 2), group=c_in)


def _transpose_conv_bias(c: _Converter, op, ins, outs):
    """MediaPipe custom op ``Convolution2DTransposeBias``.

    ``custom_options`` holds a raw (not flexbuffer) little-endian
    ``{TfLitePadding padding; int stride_width; int stride_height;}``; the filter
    is OHWI like TFLite's TRANSPOSE_CONV, the bias is per output channel.  The
    op computes ``out[y*s - pad + ky] += in[y] * W[ky]`` (no kernel flip), which
    is exactly ONNX ``ConvTranspose``.  Padding is derived from the output
    shape recorded in the model: total = (in - 1) * s + k - out, split with the
    extra pixel at the end (as TFLite's ComputePaddingHeightWidth does).
    """
    raw = op.CustomOptionsAsNumpy().tobytes() if op.CustomOptionsLength() else b""
    if len(raw) < 12:
        raise ConversionError(f"custom_options too short ({len(raw)} bytes, expected 12)")
    padding, stride_w, stride_h = struct.unpack_from("<3i", raw)
    if padding not in _TFLITE_C_PADDING or stride_w < 1 or stride_h < 1:
        raise ConversionError(f"bad custom options padding={padding} strides={stride_w},{stride_h}")
    w = c.const(ins[1], "transpose conv filter").astype(np.float32)  # OHWI
    x_shape, y_shape = c.shape(ins[0]), c.shape(outs[0])
    if w.shape[3] != x_shape[3] or w.shape[0] != y_shape[3]:
        raise ConversionError(f"filter {list(w.shape)} does not match {list(x_shape)} -> {list(y_shape)}")
    k_hw, s_hw = w.shape[1:3], (stride_h, stride_w)
    begin, end, out_pad = [], [], []
    for i, k, s, o in zip(_nhwc_hw(x_shape), k_hw, s_hw, _nhwc_hw(y_shape)):
        if _TFLITE_C_PADDING[padding] == "VALID" and o != (i - 1) * s + k:
            raise ConversionError(f"VALID transposed conv gives {(i - 1) * s + k}, model says {o}")
        total = (i - 1) * s + k - o
        if total >= 0:
            begin.append(total // 2)
            end.append(total - total // 2)
            out_pad.append(0)
        elif -total < s:
            begin.append(0)
            end.append(0)
            out_pad.append(-total)
        else:
            raise ConversionError(f"cannot reach output size {o} from input {i} (k={k}, s={s})")
    base = c.tname(outs[0])
    inputs = [c.value(ins[0]), c.add_initializer(w.transpose(3, 0, 1, 2), base + "/W")]
    inputs += _bias(c, ins, w.shape[0], base + "/B")
    attrs = dict(kernel_shape=list(k_hw), strides=list(s_hw), pads=begin + end)
    if any(out_pad):
        attrs["output_padding"] = out_pad
    c.emit_with_activation("ConvTranspose", inputs, outs[0], c.S.ActivationFunctionType.NONE, **attrs)


def _pool_2d(c: _Converter, op, ins, outs, onnx_op: str, global_op: str):
    o = c.options(op, "Pool2DOptions")
    x_shape, y_shape = c.shape(ins[0]), c.shape(outs[0])
    k_hw, s_hw = (o.FilterHeight(), o.FilterWidth()), (o.StrideH(), o.StrideW())
    pads = _conv_pads(_padding_name(c, o.Padding()), _nhwc_hw(x_shape), k_hw, s_hw, (1, 1), _nhwc_hw(y_shape))
    if tuple(k_hw) == tuple(x_shape[1:3]) and y_shape[1:3] == (1, 1) and not any(pads):
        c.emit_with_activation(global_op, [c.value(ins[0])], outs[0], o.FusedActivationFunction())
        return
    attrs = dict(kernel_shape=list(k_hw), strides=list(s_hw), pads=pads)
    if onnx_op == "AveragePool":
        attrs["count_include_pad"] = 0  # TFLite averages over the valid (unpadded) elements
    c.emit_with_activation(onnx_op, [c.value(ins[0])], outs[0], o.FusedActivationFunction(), **attrs)


def _average_pool_2d(c, op, ins, outs):
    _pool_2d(c, op, ins, outs, "AveragePool", "GlobalAveragePool")


def _max_pool_2d(c, op, ins, outs):
    _pool_2d(c, op, ins, outs, "MaxPool", "GlobalMaxPool")


def _mean(c: _Converter, op, ins, outs):
    o = c.options(op, "ReducerOptions", required=False)
    keep = bool(o.KeepDims()) if o is not None else False
    x_shape, y_shape = c.shape(ins[0]), c.shape(outs[0])
    rank = len(x_shape)
    axes = sorted({int(a) % rank for a in np.atleast_1d(c.const(ins[1], "MEAN axes"))})
    if rank != 4:
        c.node("ReduceMean", [c.value(ins[0])], [c.output_name_for(outs[0])], axes=axes, keepdims=int(keep))
        return
    onnx_axes = sorted(_NHWC_TO_NCHW_AXIS[a] for a in axes)
    if keep:
        if onnx_axes == [2, 3]:
            c.node("GlobalAveragePool", [c.value(ins[0])], [c.output_name_for(outs[0])])
        else:
            c.node("ReduceMean", [c.value(ins[0])], [c.output_name_for(outs[0])], axes=onnx_axes, keepdims=1)
        return
    # keep_dims=False on a 4-D tensor: reduce in NCHW keeping dims, go back to
    # NHWC order, then drop the reduced axes so the result matches TFLite's order.
    base = c.tname(outs[0])
    red, nhwc = c.unique(base + "/keepdims"), c.unique(base + "/nhwc")
    c.node("ReduceMean", [c.value(ins[0])], [red], axes=onnx_axes, keepdims=1)
    c.node("Transpose", [red], [nhwc], perm=list(_TO_NHWC))
    shape = c.add_initializer(np.array(y_shape, np.int64), base + "/shape")
    c.node("Reshape", [nhwc, shape], [c.output_name_for(outs[0])])


def _resize_bilinear(c: _Converter, op, ins, outs):
    o = c.options(op, "ResizeBilinearOptions", required=False)
    align = bool(o.AlignCorners()) if o is not None else False
    half = bool(o.HalfPixelCenters()) if o is not None else False
    if align and half:
        raise ConversionError("align_corners and half_pixel_centers are mutually exclusive")
    # TFLite: src = dst * (in/out)                       -> ONNX "asymmetric"
    #         src = (dst + 0.5) * (in/out) - 0.5         -> ONNX "half_pixel"
    #         src = dst * (in-1)/(out-1)                 -> ONNX "align_corners"
    mode = "align_corners" if align else ("half_pixel" if half else "asymmetric")
    size = [int(v) for v in c.const(ins[1], "RESIZE_BILINEAR size").reshape(-1)]
    x_shape, y_shape = c.shape(ins[0]), c.shape(outs[0])
    if len(size) != 2 or tuple(size) != tuple(y_shape[1:3]):
        raise ConversionError(f"size {size} does not match output shape {list(y_shape)}")
    if c.dynamic:  # a whole-number scale, so the output follows the input's size
        in_hw = _nhwc_hw(x_shape)
        if any(o % i for o, i in zip(size, in_hw)):
            raise ConversionError(f"resize {list(in_hw)} -> {size} is not by a whole factor; no dynamic graph")
        scales = c.add_initializer(
            np.array([1, 1, size[0] // in_hw[0], size[1] // in_hw[1]], np.float32), c.tname(outs[0]) + "/scales"
        )
        inputs = [c.value(ins[0]), "", scales]
    else:
        sizes = c.add_initializer(
            np.array([x_shape[0], x_shape[3], size[0], size[1]], np.int64), c.tname(outs[0]) + "/sizes"
        )
        inputs = [c.value(ins[0]), "", "", sizes]
    c.node("Resize", inputs, [c.output_name_for(outs[0])], mode="linear", coordinate_transformation_mode=mode)


def _binary(onnx_op: str, options_cls: str | None) -> Handler:
    def handler(c: _Converter, op, ins, outs):
        o = c.options(op, options_cls, required=False) if options_cls else None
        act = o.FusedActivationFunction() if o is not None else c.S.ActivationFunctionType.NONE
        out_rank = len(c.shape(outs[0]))
        inputs = [c.broadcast_value(i, out_rank) for i in ins[:2]]
        c.emit_with_activation(onnx_op, inputs, outs[0], act)

    return handler


def _unary(onnx_op: str) -> Handler:
    def handler(c: _Converter, op, ins, outs):
        c.node(onnx_op, [c.value(ins[0])], [c.output_name_for(outs[0])])

    return handler


def _relu6(c: _Converter, op, ins, outs):
    c.node("Clip", [c.value(ins[0]), c.scalar(0.0), c.scalar(6.0)], [c.output_name_for(outs[0])])


def _pad(c: _Converter, op, ins, outs):
    """Zero padding (BlazeFace pads channels to add a residual to a wider layer)."""
    pads = c.const(ins[1], "PAD paddings").astype(np.int64)  # rank x (before, after), TFLite axis order
    if len(pads) == 4:  # the value is NCHW here
        pads = pads[list(_TO_NCHW)]
    name = c.add_initializer(np.concatenate([pads[:, 0], pads[:, 1]]), c.tname(outs[0]) + "/pads")
    c.node("Pad", [c.value(ins[0]), name], [c.output_name_for(outs[0])], mode="constant")


def _reshape(c: _Converter, op, ins, outs):
    """A reshape to the output's recorded shape. TFLite reshapes NHWC memory, so a 4-D input goes
    back to NHWC first; a 4-D output (which would have to come back to NCHW) is refused."""
    base = c.tname(outs[0])
    source = c.value(ins[0])
    if len(c.shape(ins[0])) == 4:
        nhwc = c.unique(base + "/nhwc")
        c.node("Transpose", [source], [nhwc], perm=list(_TO_NHWC))
        source = nhwc
    out_shape = c.shape(outs[0])
    if len(out_shape) == 4:
        raise ConversionError("RESHAPE to a 4-D tensor is not supported")
    shape = c.add_initializer(np.array(out_shape, np.int64), base + "/shape")
    c.node("Reshape", [source, shape], [c.output_name_for(outs[0])])


def _concatenation(c: _Converter, op, ins, outs):
    o = c.options(op, "ConcatenationOptions")
    rank = len(c.shape(outs[0]))
    axis = o.Axis() % rank
    if rank == 4:
        axis = _NHWC_TO_NCHW_AXIS[axis]
    inputs = [c.value(i) for i in ins]
    c.emit_with_activation("Concat", inputs, outs[0], o.FusedActivationFunction(), axis=axis)


#: TFLite op name (``CUSTOM:<code>`` for custom ops) -> handler.
_HANDLERS: dict[str, Handler] = {
    "DEQUANTIZE": _dequantize,
    "CONV_2D": _conv_2d,
    "DEPTHWISE_CONV_2D": _depthwise_conv_2d,
    "CUSTOM:Convolution2DTransposeBias": _transpose_conv_bias,
    "AVERAGE_POOL_2D": _average_pool_2d,
    "MAX_POOL_2D": _max_pool_2d,
    "MEAN": _mean,
    "RESIZE_BILINEAR": _resize_bilinear,
    "ADD": _binary("Add", "AddOptions"),
    "SUB": _binary("Sub", "SubOptions"),
    "MUL": _binary("Mul", "MulOptions"),
    "RELU": _unary("Relu"),
    "RELU6": _relu6,
    "TANH": _unary("Tanh"),
    "LOGISTIC": _unary("Sigmoid"),
    "HARD_SWISH": _unary("HardSwish"),
    "PAD": _pad,
    "RESHAPE": _reshape,
    "CONCATENATION": _concatenation,
}


# ---------------------------------------------------------------------- public API
def convert_bytes(
    data: bytes,
    *,
    source_name: str = "model.tflite",
    input_name: str | None = DEFAULT_INPUT_NAME,
    output_name: str | None = DEFAULT_OUTPUT_NAME,
    dynamic: bool = False,
) -> bytes:
    """Convert TFLite flatbuffer bytes to serialized ONNX bytes (deterministic)."""
    model = _Converter(
        data, source_name=source_name, input_name=input_name, output_name=output_name, dynamic=dynamic
    ).run()
    return model.SerializeToString(deterministic=True)


def convert(
    tflite_path,
    onnx_path,
    *,
    input_name: str | None = DEFAULT_INPUT_NAME,
    output_name: str | None = DEFAULT_OUTPUT_NAME,
    dynamic: bool = False,
) -> None:
    """Convert ``tflite_path`` to ``onnx_path``.

    A single graph input / output is renamed to ``input_name`` / ``output_name``
    (pass ``None`` to keep the TFLite tensor names).  ``dynamic`` leaves height and
    width free (see the module docstring).  Raises :class:`ConversionError` for
    unsupported models.
    """
    src = Path(tflite_path)
    out = convert_bytes(
        src.read_bytes(), source_name=src.name, input_name=input_name, output_name=output_name, dynamic=dynamic
    )
    Path(onnx_path).write_bytes(out)


def input_stride(onnx_model) -> int | None:
    """The ``input_stride`` a dynamic conversion recorded, or ``None`` for a fixed-size graph."""
    props = {p.key: p.value for p in onnx_model.metadata_props}
    return int(props["input_stride"]) if "input_stride" in props else None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m haikei.tools.tflite2onnx",
        description="Convert a float/fp16 TFLite model (incl. MediaPipe's "
        "Convolution2DTransposeBias) to ONNX with an identical NHWC interface.",
    )
    parser.add_argument("tflite", type=Path, help="input .tflite file")
    parser.add_argument("onnx", type=Path, help="output .onnx file")
    parser.add_argument(
        "--input-name", default=DEFAULT_INPUT_NAME, help="name for a single graph input (default: %(default)s)"
    )
    parser.add_argument(
        "--output-name", default=DEFAULT_OUTPUT_NAME, help="name for a single graph output (default: %(default)s)"
    )
    parser.add_argument(
        "--dynamic",
        action="store_true",
        help="leave the input's height and width free (fully convolutional models; "
        "sides must then be multiples of the printed stride)",
    )
    args = parser.parse_args(argv)
    try:
        convert(args.tflite, args.onnx, input_name=args.input_name, output_name=args.output_name, dynamic=args.dynamic)
    except ConversionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    data = args.onnx.read_bytes()
    line = f"{args.onnx}  sha256={hashlib.sha256(data).hexdigest()}"
    if args.dynamic:
        import onnx

        line += f"  stride={input_stride(onnx.load_from_string(data))}"
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
