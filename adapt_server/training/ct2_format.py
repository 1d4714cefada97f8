"""Reader of CTranslate2's `model.bin`: the variables of a saved model spec as numpy arrays.

Layout (little-endian; CTranslate2 `specs/model_spec.py::_serialize`, binary version 6):
    uint32 version, string spec_name, uint32 revision, uint32 n_variables,
    n_variables x (string name, uint8 rank, rank x uint32 dim, uint8 dtype_id, uint32 n_bytes, bytes),
    uint32 n_aliases, n_aliases x (string alias, string target)
where a string is uint16 length (including the trailing NUL) followed by its bytes. dtype ids follow
CTranslate2's DataType enum: float32, int8, int16, int32, float16, bfloat16.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
SUPPORTED_VERSIONS = range(1, 7)


class InvalidCt2Model(ValueError):
    """The file is not a CTranslate2 model this reader understands; the message says why."""


@dataclass(frozen=True)
class Ct2Model:
    """The content of one model.bin."""

    spec_name: str  # e.g. "WhisperSpec"
    revision: int
    variables: dict[str, np.ndarray]  # name -> array (float16 stays float16; bfloat16 becomes float32)
    aliases: dict[str, str]  # alias name -> name of the variable it shares

    def get(self, name: str) -> np.ndarray:
        """The variable `name`, following an alias; KeyError naming it when absent."""
        name = self.aliases.get(name, name)
        if name not in self.variables:
            raise KeyError(f"model.bin has no variable {name!r}")
        return self.variables[name]


def read_ct2_model(path: Path) -> Ct2Model:
    """Reads every variable of a CTranslate2 model.bin (the whole file is read once into memory)."""
    data = Path(path).read_bytes()
    reader = _Reader(data, Path(path))
    version = reader.unpack("<I")
    if version not in SUPPORTED_VERSIONS:
        raise InvalidCt2Model(f"{path}: binary version {version} is not one of {list(SUPPORTED_VERSIONS)}")
    spec_name = reader.string()
    revision = reader.unpack("<I") if version >= 2 else 1
    variables = {}
    for _ in range(reader.unpack("<I")):
        name = reader.string()
        rank = reader.unpack("<B")
        shape = tuple(reader.unpack("<I") for _ in range(rank))
        dtype_id = reader.unpack("<B") if version >= 4 else 0
        n_bytes = reader.unpack("<I") if version >= 4 else int(np.prod(shape)) * 4
        if dtype_id >= len(_DTYPES):
            raise InvalidCt2Model(f"{path}: variable {name!r} has unknown dtype id {dtype_id}")
        variables[name] = _array(reader.take(n_bytes), _DTYPES[dtype_id], shape)
    aliases = {}
    if version >= 3:
        for _ in range(reader.unpack("<I")):
            alias = reader.string()
            aliases[alias] = reader.string()
    return Ct2Model(spec_name=spec_name, revision=revision, variables=variables, aliases=aliases)


def _array(raw: bytes, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    if dtype == "bfloat16":  # numpy has no bfloat16: widen to float32 (bf16 is the top half of an f32)
        halves = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
        return halves.view(np.float32).reshape(shape)
    return np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<")).reshape(shape)


class _Reader:
    def __init__(self, data: bytes, path: Path):
        self.data, self.offset, self.path = data, 0, path

    def take(self, n: int) -> bytes:
        if self.offset + n > len(self.data):
            raise InvalidCt2Model(f"{self.path} is truncated at byte {self.offset} (wanted {n} more)")
        chunk = self.data[self.offset:self.offset + n]
        self.offset += n
        return chunk

    def unpack(self, fmt: str) -> int:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def string(self) -> str:
        length = self.unpack("<H")
        return self.take(length).rstrip(b"\0").decode("utf-8")
