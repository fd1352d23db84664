"""Model files: saved whole or not at all, and every damaged file refused in one line.

CharLM.save writes a temporary file beside the target and renames it over the
target, so an interrupted save leaves the old file.  CharLM.load turns every
way a file can be wrong into one ModelFileError with a one-line message, and
reads the sizes a file claims before it allocates anything.
"""

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile

import numpy as np
import pytest

from rnnbook import charlm


def small_model(kind="lstm", dtype=np.float32):
    return charlm.CharLM("abcdefgh\n", kind, hidden=6, embedding=3, seed=1, dtype=dtype)


def npy_bytes(array):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def write_npz(path, members):
    """A .npz written by hand: ``members`` maps names to .npy bytes."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, payload in members.items():
            archive.writestr(name + ".npy", payload)
    return path


def members_of(model, config=None, **arrays):
    """The .npy members of ``model``'s file, with config entries and arrays replaced."""
    settings = {**model.config(), **(config or {})}
    members = {"config": npy_bytes(np.array(json.dumps(settings)))}
    for name, value in {**model.parameters, **arrays}.items():
        members[name] = value if isinstance(value, bytes) else npy_bytes(value)
    return members


def lying_header(shape, dtype="<f4"):
    """.npy bytes whose header claims ``shape`` but that hold four numbers."""
    header = {"descr": dtype, "fortran_order": False, "shape": shape}
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue() + np.zeros(4, np.float32).tobytes()


def assert_refused(path, *fragments):
    with pytest.raises(charlm.ModelFileError) as info:
        charlm.CharLM.load(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_a_good_file_written_by_hand_loads(tmp_path):
    """The helpers below write what save writes, so each refusal is the damage's."""
    model = small_model()
    model.steps_trained = 9
    loaded = charlm.CharLM.load(write_npz(tmp_path / "m.npz", members_of(model)))
    assert loaded.steps_trained == 9 and loaded.config() == model.config()


def test_a_flipped_byte_is_refused(tmp_path):
    path = small_model().save(tmp_path / "m.npz")
    data = bytearray(open(path, "rb").read())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("Wy.npy")
    # a byte inside Wy's numbers: the zip's CRC no longer matches
    data[info.header_offset + 30 + len(info.filename) + info.file_size // 2] ^= 0xFF
    open(path, "wb").write(bytes(data))
    assert_refused(path, "not a readable model file", "CRC")


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_a_truncated_file_is_refused(tmp_path, keep):
    path = small_model().save(tmp_path / "m.npz")
    data = open(path, "rb").read()
    open(path, "wb").write(data[: int(len(data) * keep)])
    assert_refused(path)


@pytest.mark.parametrize(
    "config, fragments",
    [
        ({"steps_trained": "abc"}, ["steps_trained is 'abc'"]),
        ({"steps_trained": -3}, ["steps_trained is -3"]),
        ({"steps_trained": 2.5}, ["steps_trained is 2.5"]),
        ({"hidden": 10**11}, ["hidden is 100000000000", "not an integer from 1 to"]),
        ({"hidden": 2**20, "embedding": 2**20}, ["parameters, more than"]),
        ({"embedding": True}, ["embedding is True"]),
        ({"kind": "transformer"}, ["kind is 'transformer'"]),
        ({"dtype": "int8"}, ["dtype is 'int8'"]),
        ({"vocabulary": ""}, ["vocabulary"]),
        ({"version": 99}, ["format version 99"]),
    ],
    ids=lambda value: json.dumps(value)[:40],
)
def test_bad_config_fields_are_refused(tmp_path, config, fragments):
    path = write_npz(tmp_path / "m.npz", members_of(small_model(), config))
    assert_refused(path, *fragments)


def test_infinity_in_the_config_json_is_refused(tmp_path):
    model = small_model()
    text = json.dumps(model.config()).replace('"steps_trained": 0', '"steps_trained": Infinity')
    assert "Infinity" in text
    members = members_of(model)
    members["config"] = npy_bytes(np.array(text))
    assert_refused(write_npz(tmp_path / "m.npz", members), "Infinity")


def test_config_that_is_not_json_is_refused(tmp_path):
    members = members_of(small_model())
    members["config"] = npy_bytes(np.array("{not json"))
    assert_refused(write_npz(tmp_path / "m.npz", members), "not valid JSON")


def test_a_header_claiming_10_to_the_11_floats_is_refused_before_allocating(tmp_path):
    model = small_model()
    path = write_npz(tmp_path / "m.npz", members_of(model, Wy=lying_header((10**11,))))
    start = time.perf_counter()
    assert_refused(path, "claims shape (100000000000,)")
    assert time.perf_counter() - start < 5  # nothing of 373 GiB was attempted


def test_a_header_that_disagrees_with_the_config_is_refused(tmp_path):
    model = small_model()
    path = write_npz(tmp_path / "m.npz", members_of(model, Wy=np.zeros((9, 7), np.float32)))
    assert_refused(path, "array Wy is float32 (9, 7), but its config says float32 (9, 6)")
    path = write_npz(tmp_path / "n.npz", members_of(model, by=np.zeros((9, 1), np.float64)))
    assert_refused(path, "array by is float64")


def test_missing_and_extra_arrays_are_refused(tmp_path):
    model = small_model()
    members = members_of(model)
    del members["E"]
    assert_refused(write_npz(tmp_path / "m.npz", members), "its arrays")
    members = members_of(model, extra=np.zeros(2, np.float32))
    assert_refused(write_npz(tmp_path / "n.npz", members), "its arrays")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_weights_are_refused(tmp_path, bad):
    model = small_model()
    model.parameters["Wy"][2, 3] = bad
    assert_refused(model.save(tmp_path / "m"), "array Wy holds NaN or inf")


def test_save_refuses_an_existing_file_when_asked_to(tmp_path):
    model = small_model()
    path = model.save(tmp_path / "m")
    with pytest.raises(FileExistsError, match="exists already"):
        model.save(path, overwrite=False)
    assert model.save(path) == path  # the default replaces it


def test_save_leaves_no_temporary_file_behind(tmp_path):
    small_model().save(tmp_path / "m")
    assert sorted(os.listdir(tmp_path)) == ["m.npz"]


SAVE_UNDER_SIGINT = textwrap.dedent(
    """
    import sys
    import numpy as np
    from rnnbook import charlm

    # a model large enough that writing it takes a noticeable time
    model = charlm.CharLM("".join(map(chr, range(0x4E00, 0x4E00 + 3000))), "lstm",
                          hidden=int(sys.argv[2]), embedding=32, seed=2)
    print("saving", flush=True)
    model.save(sys.argv[1])
    print("saved", flush=True)
    """
)


def test_ctrl_c_during_a_save_leaves_the_old_model_loadable(tmp_path):
    """A process saving a large model over an existing one gets SIGINT while
    it writes: the old file must still load, and no partial file is left."""
    target = tmp_path / "model.npz"
    old = small_model()
    old.steps_trained = 41
    old.save(target)
    for hidden in (1500, 3000):  # larger if the first save finished too soon
        process = subprocess.Popen(
            [sys.executable, "-c", SAVE_UNDER_SIGINT, str(target), str(hidden)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert process.stdout.readline() == "saving\n"
        time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
        if "saved" not in out:
            break
    assert "saved" not in out, "every save finished before the signal arrived"
    assert "KeyboardInterrupt" in err
    loaded = charlm.CharLM.load(target)
    assert loaded.steps_trained == 41 and loaded.hidden == 6
    assert sorted(os.listdir(tmp_path)) == ["model.npz"]
