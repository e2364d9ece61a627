"""A folder of book models: a .pt file that is no book model is named with why, never passed over."""

import shutil
from pathlib import Path

import torch

from bdh_studio import resources
from bdh_studio.cli import main


def test_rows_of_a_book_whose_file_is_a_bare_state_dict_name_the_file_and_why(
        demo_models, tmp_path, capsys):
    """Issue 27 item 16: its 12 rows said "matches no book model"."""
    run = Path(shutil.copytree(demo_models, tmp_path / "run"))
    bare = run / "checkpoints" / "The Salt Road.pt"
    torch.save(torch.load(bare, weights_only=True)["state_dict"], bare)
    assert main(["classify", "--train", str(resources.demo_train_csv()), "--models", str(run),
                 "--out", str(tmp_path / "p.csv"), "--folds", "2"]) == 0
    err = capsys.readouterr().err
    left_out = [line for line in err.splitlines() if "line " in line]
    assert len(left_out) == 12 and "matches no book model" not in err
    assert all(f"book 'The Salt Road': {bare}: a bare state_dict" in line for line in left_out)
