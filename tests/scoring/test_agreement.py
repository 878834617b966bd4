"""Agreement metrics against hand-computed values and known cases."""

import math

import pytest

from scoring.agreement import (
    adjacent_agreement,
    average_ranks,
    exact_agreement,
    length_baseline,
    mean_absolute_error,
    profile_accuracy,
    quadratic_weighted_kappa,
    spearman,
    word_count,
)


def test_qwk_perfect_agreement_is_one():
    assert quadratic_weighted_kappa([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]) == pytest.approx(1.0)


def test_qwk_hand_computed():
    # a = [1, 2, 3], b = [1, 3, 3] on a 1..3 scale, weights w_ij = (i - j)^2 / 4.
    # Observed: one pair off by one -> 1/4. Expected: rows (1, 1, 1), columns (1, 0, 2), n = 3:
    # sum w_ij * r_i * c_j / n = (2 + 1/4 + 2/4 + 1) / 3 = 1.25. Kappa = 1 - 0.25 / 1.25 = 0.8.
    assert quadratic_weighted_kappa([1, 2, 3], [1, 3, 3], lo=1, hi=3) == pytest.approx(0.8)


def test_qwk_reversed_order_is_negative():
    assert quadratic_weighted_kappa([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]) == pytest.approx(-1.0)


def test_qwk_constant_identical_is_one_and_constant_different_is_zero():
    assert quadratic_weighted_kappa([3, 3, 3], [3, 3, 3]) == 1.0
    # Chance agreement equals observed: kappa 0 by definition.
    assert quadratic_weighted_kappa([2, 2, 2], [4, 4, 4]) == pytest.approx(0.0)


def test_qwk_rejects_out_of_scale_and_mismatched_lengths():
    with pytest.raises(ValueError):
        quadratic_weighted_kappa([0, 1], [1, 1])
    with pytest.raises(ValueError):
        quadratic_weighted_kappa([1, 2], [1])
    with pytest.raises(ValueError):
        quadratic_weighted_kappa([], [])


def test_average_ranks_share_ties():
    assert average_ranks([10, 20, 20, 30]) == [1.0, 2.5, 2.5, 4.0]


def test_spearman_known_values():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # Hand computed with average ranks: x ranks 1, 2, 3, 4; y = [1, 3, 2, 2] ranks 1, 4, 2.5, 2.5.
    # Deviations from 2.5: x (-1.5, -0.5, 0.5, 1.5), y (-1.5, 1.5, 0, 0): covariance 1.5,
    # variances 5 and 4.5, so rho = 1.5 / sqrt(22.5).
    assert spearman([1, 2, 3, 4], [1, 3, 2, 2]) == pytest.approx(1.5 / math.sqrt(22.5))


def test_spearman_constant_input_is_zero():
    assert spearman([2, 2, 2], [1, 2, 3]) == 0.0


def test_simple_rates():
    a, b = [1, 2, 3, 5], [1, 3, 5, 5]
    assert mean_absolute_error(a, b) == pytest.approx(0.75)
    assert exact_agreement(a, b) == pytest.approx(0.5)
    assert adjacent_agreement(a, b) == pytest.approx(0.75)


def test_profile_accuracy_counts_only_real_gaps_and_half_credits_ties():
    gold = [
        {"strategy": 5, "risk": 2, "communication": 4, "leadership": 4},  # pairs (s,r), (r,c), (r,l)
        {"strategy": 3, "risk": 3, "communication": 3, "leadership": 2},  # no gap of 2: ignored
    ]
    pred = [
        {"strategy": 4, "risk": 2, "communication": 2, "leadership": 1},  # right, tie, wrong
        {"strategy": 1, "risk": 5, "communication": 1, "leadership": 5},
    ]
    assert profile_accuracy(pred, gold) == pytest.approx((1 + 0.5 + 0) / 3)


def test_profile_accuracy_without_gaps_is_nan():
    flat = [{"strategy": 3, "risk": 3, "communication": 3, "leadership": 3}]
    assert math.isnan(profile_accuracy(flat, flat))


def test_word_count_ignores_punctuation_only_chunks():
    assert word_count("We shipped - on time , 3 days early.") == 7


def test_length_baseline_matches_reference_distribution_by_rank():
    texts = ["one two three", "one", "one two three four five", "one two"]
    ref = [5, 1, 3, 2]
    # Ranked by length: "one"(1) < "one two"(2) < three words < five words -> 1, 2, 3, 5.
    assert length_baseline(texts, ref) == [3, 1, 5, 2]
    assert sorted(length_baseline(texts, ref)) == sorted(ref)


def test_length_baseline_gives_equal_lengths_equal_scores():
    texts = ["a b", "c d", "e f g"]
    # The two-word answers share ranks 1-2 (scores 1 and 4): mean 2.5 rounds half up to 3.
    assert length_baseline(texts, [1, 4, 5]) == [3, 3, 5]
