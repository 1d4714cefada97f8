"""Tail averaging: which steps join the mean, and the running mean itself."""
import pytest
import torch

from adapt_server.training.averaging import TailAverage, first_averaged_step


@pytest.mark.parametrize("total, share, first", [(10, 0.0, 10), (10, 0.5, 5), (10, 0.25, 7), (10, 1.0, 0),
                                                 (3, 0.1, 2), (0, 0.5, 0)])
def test_the_window_is_the_last_share_of_the_steps_and_at_least_one(total, share, first):
    assert first_averaged_step(total, share) == first


def test_the_running_mean_is_the_mean_and_lands_in_each_parameters_dtype():
    steps = [torch.randn(3, 4) for _ in range(5)]
    average = TailAverage()
    for value in steps:
        average.add({"w": value})
    assert average.steps == 5
    assert torch.allclose(average.mean["w"], torch.stack(steps).mean(0), atol=1e-6)

    target = {"w": torch.zeros(3, 4, dtype=torch.bfloat16)}
    average.copy_into(target)
    assert target["w"].dtype == torch.bfloat16
    assert torch.allclose(target["w"].float(), torch.stack(steps).mean(0), atol=1e-2)


def test_an_empty_average_leaves_the_parameters_alone():
    target = {"w": torch.ones(2)}
    TailAverage().copy_into(target)
    assert torch.equal(target["w"], torch.ones(2))


def test_a_restored_average_goes_on_from_where_it_was():
    a, b, c = torch.tensor([1.0]), torch.tensor([2.0]), torch.tensor([6.0])
    first = TailAverage()
    first.add({"w": a})
    first.add({"w": b})
    resumed = TailAverage(first.mean, first.steps)
    resumed.add({"w": c})
    assert resumed.mean["w"].item() == pytest.approx(3.0)
