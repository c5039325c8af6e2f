"""Each experiment is defined once: studies, their parameters, and the profiles that set them."""

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from actstudy import runner, studies
from actstudy.present import tables
from actstudy.run.config import default_initializer

PROFILES = studies.profiles()


def test_the_three_profiles_exist():
    assert {"smoke", "default", "full"} <= set(PROFILES)


@pytest.mark.parametrize("profile", PROFILES)
def test_every_profile_section_is_read_by_a_study_and_every_value_is_valid(profile):
    spec = studies.load_profile(profile)
    taken = {f.name for cls in studies.STUDIES.values() for f in dataclasses.fields(cls)}
    assert set(spec["common"]) <= taken
    for name in spec["studies"]:
        study = studies.get(name, profile)
        assert study.configs() or name == "activation_cost"  # builds and validates every Config
        for key, value in (spec["studies"][name] or {}).items():
            assert getattr(study, key) == value


@pytest.mark.parametrize("profile", PROFILES)
def test_every_study_the_reports_use_is_in_every_profile(profile):
    assert set(studies.load_profile(profile)["studies"]) == set(studies.STUDIES)


def test_a_misspelt_parameter_is_an_error_that_names_it(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="study 'sine' takes no parameter 'widht'; allowed: .*width"):
        studies.Sine().replace(widht=8)
    with pytest.raises(ValueError, match="takes no parameter 'widht'"):
        studies.get("sine", "smoke", overrides={"sine": {"widht": 8}})
    with pytest.raises(ValueError, match="overrides name study 'sinus'"):
        studies.get("sine", "smoke", overrides={"sinus": {}})
    (tmp_path / "typo.yaml").write_text(yaml.safe_dump({"studies": {"sine": {"epoch": 3}}}))
    monkeypatch.setenv("ACTSTUDY_PROFILES_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="takes no parameter 'epoch'"):
        studies.load_profile("typo")
    (tmp_path / "typo.yaml").write_text(yaml.safe_dump({"notebooks": {}}))
    with pytest.raises(ValueError, match="section 'notebooks'"):
        studies.load_profile("typo")


def test_a_profile_is_checked_whole_before_anything_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("ACTSTUDY_PROFILES_DIR", str(tmp_path))
    (tmp_path / "typo.yaml").write_text("common:\n  sedes: 5\n")
    with pytest.raises(ValueError, match="common parameter 'sedes'.*did you mean 'seeds'"):
        studies.load_profile("typo")
    (tmp_path / "typo.yaml").write_text("studies:\n  sinus: {}\n")
    with pytest.raises(ValueError, match="study 'sinus' \\(did you mean 'sine'\\?\\)"):
        studies.load_profile("typo")
    (tmp_path / "typo.yaml").write_text("studies:\n  sine: {seeds: [1, 2}\n")
    with pytest.raises(ValueError, match=r"typo.yaml, line 2, column \d+\) is not valid YAML"):
        studies.load_profile("typo")
    (tmp_path / "typo.yaml").write_text("- a list\n")
    with pytest.raises(ValueError, match="must be a mapping"):
        studies.load_profile("typo")


def test_a_bad_value_anywhere_in_a_profile_names_the_file_study_and_parameter(tmp_path,
                                                                              monkeypatch):
    monkeypatch.setenv("ACTSTUDY_PROFILES_DIR", str(tmp_path))
    (tmp_path / "bad.yaml").write_text("studies:\n  dying: {learning_rates: [0.001, -1]}\n")
    with pytest.raises(ValueError, match=r"bad.yaml, study 'dying': .*learning_rate=-1"):
        studies.check_profile("bad")


@pytest.mark.parametrize("name", ["../evil", str(Path("/etc/hostname").with_suffix("")),
                                  "mine/../mine", ""])
def test_a_profile_is_a_name_never_a_path(tmp_path, monkeypatch, name):
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "mine.yaml").write_text("studies: {}\n")
    (tmp_path / "evil.yaml").write_text("studies: {}\n")  # beside the profiles, not one of them
    monkeypatch.setenv("ACTSTUDY_PROFILES_DIR", str(tmp_path / "params"))
    assert studies.load_profile("mine") == {"common": {}, "studies": {}}
    with pytest.raises(ValueError, match="is not allowed: choose one of mine"):
        studies.load_profile(name)


@pytest.mark.parametrize("changes, named", [
    ({"seeds": 0}, "seeds=0"), ({"seeds": []}, r"seeds=\[\]"), ({"activations": "relu"}, "relu"),
    ({"initializer": "zeros"}, "initializer='zeros'"), ({"activations": ["relo"]}, "relo"),
])
def test_bad_values_are_named(changes, named):
    with pytest.raises(ValueError, match=named):
        studies.Sine(**changes)


def test_each_study_says_which_comparison_it_makes():
    own = studies.Sine(activations=["relu", "selu", "tanh"], seeds=1, epochs=1)
    assert own.comparison == "each activation with its literature initializer"
    assert {c.activation: c.weight_initializer for c in own.configs()} == {
        name: default_initializer(name) for name in ("relu", "selu", "tanh")}
    one = own.replace(initializer="glorot_uniform")
    assert one.comparison == "all activations with one initializer (glorot_uniform)"
    assert {c.weight_initializer for c in one.configs()} == {"glorot_uniform"}


def test_a_notebook_and_a_claim_build_the_same_configs():
    from actstudy.claims import Context

    ctx = Context("smoke")
    assert ctx.study("images").configs() == studies.get("images", "smoke").configs()


def test_learned_runs_prelu_also_from_leaky_relus_slope():
    study = studies.Learned(datasets=["mnist", "fashion_mnist"], depths=[2, 6], seeds=3,
                            activations=["prelu", "leaky_relu", "mixture"])
    configs = study.configs()
    assert len(configs) == 2 * 2 * (3 + 1) * 3
    extra = [c for c in configs if c.activation_options]
    assert len(extra) == 2 * 2 * 3
    assert {(c.activation, c.activation_options) for c in extra} == {
        ("prelu", (("initial_slope", 0.01),))}
    assert {(c.dataset, c.depth, c.seed) for c in extra} == {
        (c.dataset, c.depth, c.seed) for c in configs if c.activation == "leaky_relu"}
    plain = [c for c in configs if c.activation == "prelu" and not c.activation_options]
    assert len(plain) == 2 * 2 * 3  # still from PReLU's own 0.25
    assert {c.dataset_options for c in configs} == {(("n_train", 10000),)}


def test_learned_without_the_extra_prelu_and_on_whole_splits():
    study = studies.Learned(datasets=["mnist"], depths=[3], seeds=2, activations=["relu"],
                            prelu_initial_slope=None, n_train=None)
    configs = study.configs()
    assert [(c.activation, c.depth, c.seed) for c in configs] == [("relu", 3, 0), ("relu", 3, 1)]
    assert all(c.dataset_options == () for c in configs)


@pytest.mark.parametrize("slope", [-0.01, float("nan"), float("inf"), True, "0.01"])
def test_learned_names_a_bad_initial_slope(slope):
    with pytest.raises(ValueError) as info:
        studies.Learned(prelu_initial_slope=slope)
    assert str(info.value) == (
        f"prelu_initial_slope={slope!r} is not allowed for study 'learned': give a finite "
        "number >= 0 (the initial slope of the extra PReLU runs), or null for none")


@pytest.mark.parametrize("changes, named", [
    ({"depths": []}, r"depth=\[\]"), ({"datasets": ["mnits"]}, "mnits"), ({"width": 0}, "width=0"),
    ({"activations": ["swish_betta"]}, "swish_betta"),
])
def test_learned_names_other_bad_parameters(changes, named):
    with pytest.raises(ValueError, match=named):
        studies.Learned(**changes).configs()


def test_initializer_activation_crosses_every_activation_with_every_initializer():
    study = studies.InitializerActivation(activations=["relu", "tanh"],
                                          initializers=["he_normal", "glorot_uniform"], seeds=3)
    configs = study.configs()
    assert len(configs) == 2 * 2 * 3
    assert {(c.activation, c.weight_initializer, c.seed) for c in configs} == {
        (a, i, s) for a in ("relu", "tanh") for i in ("he_normal", "glorot_uniform")
        for s in range(3)}
    assert {(c.depth, c.width, c.gradient_every, dict(c.dataset_options)["n_train"])
            for c in configs} == {(10, 64, 1, 10000)}
    assert study.comparison == "every activation under each initializer (he_normal, glorot_uniform)"
    # The initializer is a group field, and the two activations share a program.
    from actstudy.run.grouping import groups

    assert [len(group) for group in groups(configs)] == [12]


def test_initializer_activation_has_no_single_initializer_parameter():
    assert "initializer" not in studies.InitializerActivation.parameters()
    with pytest.raises(ValueError, match="takes no parameter 'initializer'; allowed: .*initializers"):
        studies.InitializerActivation().replace(initializer="he_normal")


def test_classic_settings_are_glorot_and_bengios():
    study = studies.ClassicSettings(seeds=2)
    configs = study.configs()
    assert len(configs) == 3 * 2
    assert {c.activation for c in configs} == {"sigmoid", "tanh", "relu"}
    assert {(c.optimizer, c.batch_size, c.weight_initializer, c.probe_every, c.depth)
            for c in configs} == {("sgd", 10, "lecun_uniform", 50, 5)}
    assert study.comparison == ("all activations with the standard initialisation "
                                "U[-1/sqrt(n), 1/sqrt(n)]")
    # lecun_uniform's limit sqrt(3 / fan_in), scaled by init_scale: 1 / sqrt(fan_in).
    from actstudy.run import models

    config = configs[0].replace(width=400)
    kernel = np.asarray(models.initializer(config, 1)((400, 400)))
    assert abs(kernel).max() <= 1 / np.sqrt(400) and abs(kernel).max() > 0.99 / np.sqrt(400)
    other = study.replace(initializer="glorot_uniform", init_scale=1.0)
    assert other.comparison == "all activations with one initializer (glorot_uniform)"


def test_self_normalising_standardises_the_inputs_and_keeps_literature_initializers():
    study = studies.SelfNormalising(seeds=2)
    configs = study.configs()
    assert len(configs) == 4 * 2
    assert {c.activation: c.weight_initializer for c in configs} == {
        "selu": "lecun_normal", "relu": "he_normal", "tanh": "glorot_uniform", "elu": "he_normal"}
    assert {(c.depth, c.probe_every, c.dataset_options) for c in configs} == {
        (24, 20, (("n_train", 10000), ("standardise", True)))}
    assert dict(study.replace(n_train=None).configs()[0].dataset_options) == {"standardise": True}


@pytest.mark.parametrize("study, changes, named", [
    (studies.InitializerActivation, {"initializers": []}, r"initializers=\[\] is not allowed"),
    (studies.InitializerActivation, {"initializers": "he_normal"}, "give a non-empty list from"),
    (studies.InitializerActivation, {"initializers": ["zeros"]}, r"initializers=\['zeros'\]"),
    (studies.InitializerActivation, {"depth": 0}, "depth=0 is not allowed"),
    (studies.InitializerActivation, {"dataset": "moons"}, "dataset='moons' is not allowed for study"),
    (studies.InitializerActivation, {"n_train": 0}, "n_train=0 is not allowed.*or null"),
    (studies.ClassicSettings, {"learning_rate": -0.1}, "learning_rate=-0.1 is not allowed"),
    (studies.ClassicSettings, {"init_scale": 0}, "init_scale=0 is not allowed"),
    (studies.ClassicSettings, {"probe_every": -1}, "probe_every=-1 is not allowed"),
    (studies.ClassicSettings, {"batch_size": 100, "n_train": 50}, "batch_size=100 .*n_train=50"),
    (studies.ClassicSettings, {"initializer": "ones"}, "initializer='ones'"),
    (studies.SelfNormalising, {"dataset": "sine"}, "dataset='sine' is not allowed for study "
                                                   "'self_normalising': choose one of mnist"),
    (studies.SelfNormalising, {"n_train": 2.5}, "n_train=2.5"),
    (studies.SelfNormalising, {"activations": ["selu", "relo"]}, "relo"),
])
def test_bad_values_of_the_new_studies_are_named(study, changes, named):
    with pytest.raises(ValueError, match=named):
        study(**changes)


def test_depth_tuned_crosses_depths_and_learning_rates_with_early_stopping():
    study = studies.DepthTuned(activations=["relu", "tanh"], depths=[1, 4],
                               learning_rates=[0.001, 0.01], seeds=3)
    configs = study.configs()
    assert {(c.activation, c.depth, c.learning_rate, c.seed) for c in configs} == {
        (a, d, r, s) for a in ("relu", "tanh") for d in (1, 4) for r in (0.001, 0.01)
        for s in range(3)}
    assert len(configs) == 2 * 2 * 2 * 3
    assert all(c.restore_best for c in configs)
    assert {(c.width, c.epochs, dict(c.dataset_options)["n_train"]) for c in configs} == {
        (64, 12, 5000)}
    # Learning rates, seeds and activations share a program: one group per depth.
    from actstudy.run.grouping import groups

    assert [len(group) for group in groups(configs)] == [12] * 2


@pytest.mark.parametrize("changes, named", [
    ({"depths": []}, r"depths=\[\] is not allowed for study 'depth_tuned'"),
    ({"depths": [0, 2]}, r"depths=\[0, 2\] .*integers >= 1"),
    ({"depths": 4}, "depths=4"),
    ({"learning_rates": [0.001, -1]}, r"learning_rates=\[0.001, -1\] .*numbers > 0"),
    ({"learning_rates": [True]}, r"learning_rates=\[True\]"),
    ({"dataset": "moons"}, "dataset='moons' is not allowed for study 'depth_tuned'"),
    ({"n_train": 100}, "batch_size=128 is not allowed .* n_train=100"),
    ({"width": 0}, "width=0"),
])
def test_depth_tuned_names_bad_values(changes, named):
    with pytest.raises(ValueError, match=named):
        studies.DepthTuned(**changes)


def test_elu_setting_is_the_papers_mlp_with_sgd_and_he_initialisation():
    study = studies.EluSetting(seeds=2)
    configs = study.configs()
    labels = [(c.activation, dict(c.activation_options).get("negative_slope")) for c in configs]
    assert labels == [("relu", None)] * 2 + [("elu", None)] * 2 + [("leaky_relu", 0.1)] * 2
    assert {(c.depth, c.width, c.optimizer, c.learning_rate, c.batch_size,
             c.weight_initializer) for c in configs} == {(8, 128, "sgd", 0.01, 64, "he_normal")}
    assert not any(c.restore_best for c in configs)
    # The same seed starts every activation from the same weights: runs pair by seed.
    from actstudy.run import models

    first = [models.build(c.replace(depth=2), (784,), 10).trainable_weights[0].numpy()
             for c in configs[::2]]
    assert all(np.array_equal(first[0], kernel) for kernel in first[1:])
    assert [c.activation for c in study.replace(leaky_relu_slope=None).configs()] == [
        "relu", "relu", "elu", "elu"]


@pytest.mark.parametrize("changes, named", [
    ({"leaky_relu_slope": -0.1}, "leaky_relu_slope=-0.1 is not allowed for study 'elu_setting'"),
    ({"leaky_relu_slope": "0.1"}, "leaky_relu_slope='0.1'"),
    ({"learning_rate": 0}, "learning_rate=0"),
    ({"depth": 0}, "depth=0"),
    ({"dataset": "sine"}, "dataset='sine' is not allowed for study 'elu_setting'"),
    ({"n_train": 0}, "n_train=0 is not allowed for study 'elu_setting'"),
])
def test_elu_setting_names_bad_values(changes, named):
    with pytest.raises(ValueError, match=named):
        studies.EluSetting(**changes)


@pytest.mark.parametrize("name", ["depth_tuned", "elu_setting"])
def test_the_claims_studies_have_ten_seeds_in_the_default_profile(name):
    assert len(studies.get(name, "default").seed_list) >= 10
def test_learning_rate_crosses_activations_datasets_and_each_optimizers_own_rates():
    study = studies.LearningRate(activations=["relu", "tanh"], datasets=["mnist", "fashion_mnist"],
                                 learning_rates={"adam": [1e-3, 1e-2],
                                                 "momentum": [1e-2, 1e-1, 3e-1]}, seeds=3)
    configs = study.configs()
    assert len(configs) == 2 * 2 * (2 + 3) * 3
    assert {(c.optimizer, c.learning_rate) for c in configs} == {
        ("adam", 1e-3), ("adam", 1e-2), ("momentum", 1e-2), ("momentum", 1e-1), ("momentum", 0.3)}
    assert {(c.depth, c.width, c.epochs, c.dataset_options) for c in configs} == {
        (2, 64, 3, (("n_train", 10000),))}
    # The rate is a group field, and activations share programs: one per dataset and optimizer.
    from actstudy.run.grouping import groups

    assert sorted(len(g) for g in groups(configs, max_group=9)) == [12] * 2 + [18] * 2


def test_learning_rate_trains_all_rates_and_seeds_of_a_setting_as_one_program(monkeypatch):

    asked = {}
    monkeypatch.setattr(runner, "run_grid", lambda configs, **options: asked.update(options))
    studies.get("learning_rate", "default").run(progress=False)
    assert asked["max_group"] == 6 * 5  # six rates, five seeds: more than MAX_GROUP
    studies.get("learning_rate", "smoke").run(progress=False, max_group=2)
    assert asked["max_group"] == 2  # a caller's choice stands


def test_the_default_learning_rate_grid_is_half_decades_around_adams_default():
    study = studies.get("learning_rate", "default")
    assert study.learning_rates["adam"] == [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2]
    assert study.reference_learning_rate in study.learning_rates[study.reference_optimizer]
    assert len(study.seed_list) >= 3 and len(study.activations) >= 6


@pytest.mark.parametrize("changes, message", [
    ({"learning_rates": "adam"}, "learning_rates='adam' is not allowed for study 'learning_rate': "
                                 "give a mapping from an optimizer"),
    ({"learning_rates": {}}, r"learning_rates=\{\} is not allowed"),
    ({"learning_rates": {"adamm": [1e-3]}}, "learning_rates names optimizer 'adamm', which is not "
                                            "allowed .* choose from adam, sgd, momentum"),
    ({"learning_rates": {"adam": []}}, r"learning_rates\['adam'\]=\[\] is not allowed"),
    ({"learning_rates": {"adam": ["1e-3"]}}, r"holds '1e-3', .* must be a finite number > 0; "
                                             "YAML reads 1e-3 as text, write 1.0e-3"),
    ({"learning_rates": {"adam": [1e-3, -1.0]}}, r"holds -1.0, which is not allowed"),
    ({"learning_rates": {"adam": [1e-3, 1e-3]}}, "a rate is repeated"),
    ({"reference_learning_rate": 5e-4}, "reference_learning_rate=0.0005 is not allowed .* adam: "
                                        "0.0001, 0.0003, 0.001"),
    ({"reference_optimizer": "sgd"}, "reference_optimizer='sgd' .* must be one of the grid's"),
    ({"datasets": ["moons"]}, r"datasets=\['moons'\] is not allowed for study 'learning_rate': "
                              "give a non-empty list from mnist, fashion_mnist"),
    ({"datasets": "mnist"}, "datasets='mnist' is not allowed"),
    ({"n_train": 0}, "n_train=0 is not allowed"),
    ({"width": 0}, "width=0 is not allowed"),
    ({"activations": ["rleu"]}, "rleu"),
])
def test_bad_learning_rate_parameters_are_named(changes, message):
    with pytest.raises(ValueError, match=message):
        studies.LearningRate(**changes)


def test_swish_depth_crosses_relu_and_swish_with_the_depths():
    study = studies.SwishDepth(seeds=2, depths=[4, 8])
    configs = study.configs()
    assert [(c.activation, c.depth) for c in configs[::2]] == [
        ("relu", 4), ("relu", 8), ("swish", 4), ("swish", 8)]
    assert {c.weight_initializer for c in configs} == {"he_normal"}
    assert {dict(c.dataset_options)["n_train"] for c in configs} == {5000}


@pytest.mark.parametrize("changes, named", [
    ({"depths": []}, "depths=\\[\\] is not allowed for study 'swish_depth'"),
    ({"depths": [0, 4]}, "depths=\\[0, 4\\]"),
    ({"dataset": "moons"}, "dataset='moons' is not allowed for study 'swish_depth'"),
    ({"width": 0}, "width=0"),
    ({"target_accuracy": 1}, "takes no parameter 'target_accuracy'"),
])
def test_swish_depth_names_bad_values(changes, named):
    with pytest.raises(ValueError, match=named):
        if "target_accuracy" in changes:
            studies.SwishDepth().replace(**changes)
        else:
            studies.SwishDepth(**changes)


@pytest.mark.parametrize("targets, named", [
    ({"mnist": 0.9}, "missing 'fashion_mnist'"),
    ({"mnist": 0.9, "fashion_mnist": 0.8, "cifar": 0.5}, "no dataset 'cifar'"),
    (1.5, "each target must be a number in \\(0, 1\\]"),
    ({"mnist": 0.9, "fashion_mnist": "high"}, "each target must be a number"),
])
def test_images_takes_one_target_or_one_per_dataset(targets, named):
    images = studies.Images(target_accuracy={"mnist": 0.93, "fashion_mnist": 0.83})
    assert (images.target_for("mnist"), images.target_for("fashion_mnist")) == (0.93, 0.83)
    assert studies.Images(target_accuracy=0.9).target_for("fashion_mnist") == 0.9
    with pytest.raises(ValueError, match=f"target_accuracy=.* is not allowed.*{named}"):
        studies.Images(target_accuracy=targets)


# -- classification_hard: harder tasks at a level a stated rule chooses ----------------------


def _reference_runs(values: dict, activation: str = "relu") -> pd.DataFrame:
    """A hand-made summary at the sweep's rate: {(dataset, level): [validation accuracy per seed]}."""
    return pd.DataFrame([{"dataset": dataset, "level": level, "activation": activation,
                          "seed": seed, "learning_rate": 0.01, "final_val_accuracy": accuracy}
                         for (dataset, level), accuracies in values.items()
                         for seed, accuracy in enumerate(accuracies)])


def test_the_rule_picks_the_hardest_level_where_the_reference_reaches_the_threshold():
    summary = _reference_runs({("spirals", 2): [0.99, 0.97], ("spirals", 2.5): [0.93, 0.91],
                               ("spirals", 3): [0.86, 0.90], ("checkerboard", 4): [0.95, 0.92],
                               ("checkerboard", 6): [0.70, 0.72]})
    rule = studies.hardest_reaching(summary, 0.90)
    assert rule[["dataset", "level", "reaches", "chosen"]].values.tolist() == [
        ["spirals", 2, True, False], ["spirals", 2.5, True, True], ["spirals", 3, False, False],
        ["checkerboard", 4, True, True], ["checkerboard", 6, False, False]]
    assert rule.loc[rule["chosen"], "mean"].round(3).tolist() == [0.92, 0.935]
    hard = studies.ClassificationHard(seeds=2, tasks={"spirals": {"turns": [2, 2.5, 3]},
                                                      "checkerboard": {"cells": [4, 6]}})
    assert hard.chosen(summary) == {"spirals": 2.5, "checkerboard": 4}


def test_the_rule_reads_the_reference_alone():
    relu = {("spirals", 2): [0.95, 0.96], ("spirals", 3): [0.85, 0.86]}
    others = pd.concat([_reference_runs({key: [1.0, 1.0] for key in relu}, "tanh"),
                        _reference_runs({key: [0.1, 0.1] for key in relu}, "sigmoid")])
    alone = studies.hardest_reaching(_reference_runs(relu), 0.9)
    beside = studies.hardest_reaching(pd.concat([others, _reference_runs(relu)]), 0.9)
    pd.testing.assert_frame_equal(alone, beside)
    with pytest.raises(ValueError, match="reference='gelu' is not allowed: the summary has no runs"):
        studies.hardest_reaching(_reference_runs(relu), 0.9, reference="gelu")


def test_a_task_where_no_level_reaches_the_threshold_is_an_outcome_not_a_crash():
    summary = _reference_runs({("spirals", 2): [0.80, 0.82], ("spirals", 3): [0.70, 0.60],
                               ("checkerboard", 4): [0.93, 0.95]})
    hard = studies.ClassificationHard(seeds=2, tasks={"spirals": {"turns": [2, 3]},
                                                      "checkerboard": {"cells": [4]}},
                                      activations=["relu", "tanh"])
    rule = hard.rule(summary)
    assert not rule.loc[rule["dataset"] == "spirals", "chosen"].any()
    assert hard.chosen(summary) == {"spirals": None, "checkerboard": 4}
    compared = hard.comparison_configs(hard.chosen(summary))
    assert {(c.dataset, dict(c.dataset_options)["cells"]) for c in compared} == {
        ("checkerboard", 4)}
    assert len(compared) == 2 * 2 * 3  # two activations, two seeds, three rates
    assert {c.learning_rate for c in compared} == set(hard.learning_rates)
    table = tables.rule_table(rule, hard.threshold)
    assert table["reaches 0.9"].tolist() == ["no", "no", "yes"]
    assert table["rule"].tolist() == ["", "", "chosen"]
    assert table["level"].tolist() == ["2 turns", "3 turns", "4 x 4 cells"]
    assert table["validation accuracy [95% CI]"].iloc[0].startswith("0.810 [")
    # Nothing reaches anywhere: no comparison at all.
    nowhere = _reference_runs({("spirals", 2): [0.5, 0.6], ("checkerboard", 4): [0.5, 0.5]})
    assert hard.chosen(nowhere) == {"spirals": None, "checkerboard": None}
    assert hard.comparison_configs(hard.chosen(nowhere)) == []


def test_a_level_where_a_seed_failed_does_not_reach():
    summary = _reference_runs({("spirals", 2): [0.95, 0.95], ("spirals", 3): [0.99, np.nan]})
    rule = studies.hardest_reaching(summary, 0.9)
    assert rule["reaches"].tolist() == [True, False] and rule["chosen"].tolist() == [True, False]


def _fake_fit(accuracy):
    """A stand-in for training.fit_group: each run's accuracy is ``accuracy(config)``."""
    from actstudy.run.record import Run

    def fit(config):
        value = accuracy(config)
        return Run(key=config.key(), config=config.to_dict(), task="classification", layers=[],
                   blocks=[], history=[{"epoch": 1, "val_accuracy": value, "seconds": 0.0}],
                   initial={}, test={"accuracy": value, "loss": 0.0}, gradient_steps=[],
                   gradient_norms=[], activation_stats=[], learned_parameters=[],
                   diverged=False, diverged_epoch=None, compile_seconds=0.0, train_seconds=0.0,
                   steps_per_epoch=1, dataset={"name": config.dataset, "checksum": "-"},
                   versions={}, created="")

    return lambda configs: [fit(config) for config in configs]


def test_hard_study_runs_the_sweep_then_every_activation_at_the_chosen_level():
    trained = []

    def accuracy(config):
        turns = dict(config.dataset_options)["turns"]
        trained.append((config.activation, turns, config.learning_rate))
        best = config.learning_rate == 0.01  # every activation's best rate is inside the grid
        if config.activation == "relu":
            return {2: 0.97, 3: 0.93, 4: 0.80}[turns] - (0 if best else 0.05)
        return 0.6 if best else 0.5

    hard = studies.ClassificationHard(seeds=2, tasks={"spirals": {"turns": [2, 3, 4]}},
                                      activations=["relu", "tanh", "elu"])
    assert {c.activation for c in hard.configs()} == {"relu"}  # step 1 is ReLU alone
    results = hard.run(progress=False, fit_group=_fake_fit(accuracy))
    summary = hard.summary(results)
    assert hard.chosen(summary) == {"spirals": 3}
    # ReLU at every level at the sweep's rate, then every activation at 3 turns at each rate;
    # ReLU's sweep runs there train once. No chosen rate is at an edge: the grid does not grow.
    assert sorted({(a, t) for a, t, _ in trained}) == [("elu", 3), ("relu", 2), ("relu", 3),
                                                       ("relu", 4), ("tanh", 3)]
    assert len(trained) == len(results.runs) == 2 * (3 + 3 * 3 - 1)
    compared = hard.compared(summary)
    assert sorted(compared["activation"].unique()) == ["elu", "relu", "tanh"]
    assert set(compared["task"]) == {"spirals, 3 turns"} and len(compared) == 6
    assert set(compared["learning_rate"]) == {0.01}


def test_hard_study_grows_the_rate_grid_past_an_edge_and_compares_at_the_chosen_rate():
    def accuracy(config):
        turns = dict(config.dataset_options)["turns"]
        if config.activation == "relu":
            return {2: 0.97, 3: 0.80}[turns]
        return 0.9 - abs(np.log10(config.learning_rate / 0.1)) / 10  # tanh's best is 0.1

    hard = studies.ClassificationHard(seeds=2, tasks={"spirals": {"turns": [2, 3]}},
                                      activations=["relu", "tanh"], extensions=1)
    summary = hard.summary(hard.run(progress=False, fit_group=_fake_fit(accuracy)))
    rates = hard.rates(summary).set_index("activation")
    # tanh chose 0.03, the highest, so the grid grew one step (x3) to 0.09, and no further
    assert sorted(set(summary.loc[summary.activation == "tanh", "learning_rate"])) == [
        0.003, 0.01, 0.03, 0.09]
    assert rates.loc["tanh", "learning_rate"] == 0.09 and rates.loc["tanh", "edge"] == "highest"
    compared = hard.compared(summary)
    assert set(compared.loc[compared.activation == "tanh", "learning_rate"]) == {0.09}


def test_hard_study_where_nothing_reaches_returns_the_sweep_alone():
    hard = studies.ClassificationHard(seeds=2, tasks={"checkerboard": {"cells": [4, 6]}})
    results = hard.run(progress=False, fit_group=_fake_fit(lambda config: 0.6))
    summary = hard.summary(results)
    assert set(summary["activation"]) == {"relu"} and len(summary) == 4
    assert hard.chosen(summary) == {"checkerboard": None} and hard.compared(summary).empty


def test_hard_tasks_train_in_the_easy_tasks_network_in_every_profile():
    # Same network, optimiser and schedule: every hard run reuses a program compiled for the
    # easy tasks (a new width would compile anew), and only the task differs between the two.
    from actstudy.run.grouping import group_key

    def network(config):
        return group_key(config).replace(dataset="moons", dataset_options={},
                                         activation="relu")

    for profile in PROFILES:
        easy = studies.get("classification", profile).configs()
        hard = studies.get("classification_hard", profile)
        assert {network(c) for c in hard.configs()} <= {network(c) for c in easy}, profile
        assert set(hard.activations) <= set(studies.get("classification", profile).activations) \
            or hard.activations == "all"


@pytest.mark.parametrize("changes, named", [
    ({"tasks": {"moons": {"noise": 0.1}}}, "tasks names dataset 'moons', which is not allowed"),
    ({"tasks": {"spirals": {"cells": [3]}}}, "tasks\\['spirals'\\] has option 'cells'.*"
                                             "spirals takes turns, noise, n_train"),
    ({"tasks": {"spirals": {"turns": 3}}}, r"tasks\['spirals'\]\['turns'\]=3 is not allowed"),
    ({"tasks": {"spirals": {"turns": [2, 2]}}}, "distinct levels"),
    ({"tasks": {"checkerboard": {"cells": [4, 1]}}}, r"tasks\['checkerboard'\]: cells=1 is not "
                                                      "allowed: must be an integer >= 2"),
    ({"tasks": {}}, "tasks={} is not allowed"),
    ({"threshold": 1.5}, "threshold=1.5 is not allowed.*in \\(0, 1\\]"),
    ({"threshold": True}, "threshold=True is not allowed"),
    ({"reference": "relo"}, "reference='relo' is not allowed.*did you mean 'relu'"),
    ({"width": 0}, "width=0 is not allowed"),
])
def test_hard_study_names_bad_values(changes, named):
    with pytest.raises(ValueError, match=named):
        studies.ClassificationHard(**changes)


@pytest.mark.parametrize("text, named", [
    ("common: 5\n", "common must be a mapping"),
    ("studies: [sine]\n", "studies must be a mapping"),
    ("studies:\n  sine: 5\n", "study 'sine' must be a mapping"),
    ("studies:\n  sine: {seeds: 2, seeds: 3}\n", "the key 'seeds' is given twice"),
    ("studies:\n  sine: {seeds: 100000000}\n", None),
])
def test_a_profile_of_the_wrong_shape_is_one_clear_error(tmp_path, monkeypatch, text, named):
    monkeypatch.setenv("ACTSTUDY_PROFILES_DIR", str(tmp_path))
    (tmp_path / "odd.yaml").write_text(text)
    if named is None:  # a value far out of range: refused before a grid of it is built
        with pytest.raises(ValueError, match="seeds=100000000 is not allowed.*1 to 1000"):
            studies.check_profile("odd")
        return
    with pytest.raises(ValueError, match=named):
        studies.load_profile("odd")


def test_a_profile_that_is_not_utf8_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("ACTSTUDY_PROFILES_DIR", str(tmp_path))
    (tmp_path / "odd.yaml").write_bytes(b"studies:\n  sine: {seeds: \xff}\n")
    with pytest.raises(ValueError, match="odd.yaml.*is not UTF-8"):
        studies.load_profile("odd")
