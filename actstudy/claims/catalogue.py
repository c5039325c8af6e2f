"""The nineteen claims: each one's source sentence, primary test, margin and measurement, and
:func:`evaluate`, which decides them all under a profile (the machinery is
:mod:`actstudy.claims.verdicts`).
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from actstudy.analysis import adequacy
from actstudy.claims.measures import (
    COST_MARGIN,
    DEPTH_MARGIN,
    EDGE_MARGIN,
    SPARSE_SHARE,
    STEP_LOSS_MARGIN,
    SUCCESS_MARGIN,
    THEORY_MARGIN,
    UNIT_MARGIN,
    accuracy_against_depth,
    arithmetic_adequacy,
    arithmetic_extrapolation,
    binary_step_adequacy,
    binary_step_learning,
    dead_units_by_rectifier,
    depth_adequacy,
    dying_adequacy,
    elu_adequacy,
    elu_against_relu,
    gelu_cost_adequacy,
    gelu_cost_and_approximation,
    gradient_adequacy,
    gradient_growth_with_init_scale,
    images_adequacy,
    linear_adequacy,
    linear_network_training,
    prelu_adequacy,
    prelu_overfitting,
    rectifier_cost,
    rectifier_cost_adequacy,
    relu_sparsity,
    sine_adequacy,
    sine_nonlinearity,
    smooth_rectifiers_in_depth,
    softplus_cost,
    softplus_cost_adequacy,
    sparsity_adequacy,
    tanh_against_sigmoid_convergence,
    theory_agreement,
    tuned_depth_adequacy,
    vanishing_gradient_ratio,
)
from actstudy.claims.tuning import (
    CHOICE_MARGIN,
    TIER_MARGIN,
    choice_adequacy,
    choice_matters,
    relu_first,
    relu_first_adequacy,
)
from actstudy.claims.verdicts import (
    Claim,
    Context,
    Measurement,
    Test,
    component_verdicts,
    format_interval,
    intersection_union,
    secondary_level,
    secondary_verdicts,
    verdict,
)

__all__ = ["CLAIMS", "evaluate"]


_CURVES = "04_mnist_convergence#Loss-and-accuracy-per-epoch"


_COST = "01_activation_gallery#Compute-cost"


_SPEED = "05_gradient_flow#First-and-last-layer-learning-speeds-under-SGD"


_SAME_REASON_COST = ("ours (no source gives a number): a training epoch under 10% shorter is not "
                     "the speed-up \"speeds up training\" or \"cheaper\" promises a user")


# Every timing claim's note: what its interval is over, and what machine it speaks for.
_TIMING_NOTE = ("Timed in 5 fresh processes, one after another, each with interleaved rounds: "
                "a build's ratio is the median over processes of each one's median round. One "
                "build cannot decide a ratio near its margin (builds move by about ±2%), so the "
                "ratio is decided over this machine's builds: this build's joins earlier builds' "
                "on the same kind of machine with the same timing parameters, builds run back to "
                "back counted as one occasion, and the interval is Student's t over the "
                "occasions. The earlier builds are committed with the repository (for the "
                "default profile, notebooks/params/timing-builds-default.json, made by `actstudy "
                "timing-builds`; the design is pre-registered in preregistrations/), so they, "
                "not this build, carry most of the verdict; this build alone, with the spread "
                "between occasions as its interval, is a secondary test. Contradicted means the "
                "mean epoch ratio over this machine's occasions lies below 1.10x (a single "
                "build may read above it): a smaller cost, which the element-wise time and the "
                "operation counts (secondary tests) may still show, reads the same. "
                "When this build's ReLU epoch took more than 1.10x as long (or as short) as the "
                "study's median build, the rule that left study builds out, or its processes "
                "scatter more than any earlier build's (median absolute deviation), this build "
                "is not counted: the study's occasions decide alone, and this build's own test "
                "is undecided and says why. Those rules keep the study machine's usual, faster "
                "state, and builds it ran slower in read some ratios differently (GELU's "
                "higher). Without a study for this kind of machine the verdict is undecided. "
                "One machine does not speak for its kind, so a verdict holds only where every "
                "other studied machine of the kind gives it too, each from its own builds "
                "(notebooks/params/timing-builds-default.<machine>.json; design 6, "
                "pre-registered in preregistrations/): where one does not, the ratio's verdict "
                "(for claim 4, that component's) is undecided (inadequate) and its check names "
                "each machine's reading. A second "
                "machine of the same kind, running ReLU's epoch about 1.6x slower, read GELU's "
                "ratio higher and softplus's lower than the study machine, both near the "
                "margin, and two pre-registered replications from new builds alone did not "
                "reproduce the study's contradicted for GELU (README). A verdict is about the "
                "machines studied (01 names this build's: cores, platform, JAX device), not "
                "every machine of their kind. The operations per element from XLA's cost "
                "analysis, which no machine's load moves, are a secondary test.")


CLAIMS = [
    Claim(1, "Without a non-linear activation, stacked layers collapse to a linear model: a ReLU "
             "MLP fits sin(x) at least 10x better than the same MLP with the identity activation.",
          "Course page on activations and gradient flow (the sin(x) Keras experiment)",
          "02_synthetic_regression#Test-MSE-per-activation",
          Test("test MSE on sin(x): identity MLP / ReLU MLP (×)", "x", "above", 10.0,
               "ours (no source gives a number): one order of magnitude, the least that "
               "\"collapse to a linear model\" can mean"),
          "sine", 10, sine_nonlinearity,
          adequacy=sine_adequacy,
          note="That the identity MLP matches the least-squares line holds by construction (it "
               "is a linear model), so it is shown, not tested as the claim."),
    Claim(2, "A linear activation cannot be trained with backpropagation because its derivative "
             "is constant.",
          "Popular articles listing activation functions",
          "02_synthetic_regression#Learning-curves",
          Test("training MSE of the trained identity MLP / the least-squares optimum's (×)", "x",
               "above", 1.05,
               "ours (no source gives a number): a linear network within 5% of the least-squares "
               "optimum is as trained as a linear model gets"),
          "sine", 10, linear_network_training,
          adequacy=linear_adequacy),
    Claim(3, "Sigmoid and tanh suffer vanishing gradients in deep networks: the first layer "
             "learns orders of magnitude more slowly than the last, far more so than with ReLU.",
          "Glorot & Bengio (2010); Nielsen, Neural Networks and Deep Learning, chapter 5",
          _SPEED,
          Test("plain SGD with the standard initialisation U[-1/sqrt(n), 1/sqrt(n)], 5 hidden "
               "layers (Glorot & Bengio's setting): ReLU's first/last-layer learning-speed ratio "
               "(bias-gradient norms over the first epoch) over each of sigmoid's and tanh's, "
               "one component each (×)", "x", "above", 10.0,
               "ours (no source gives a number): \"orders of magnitude\" is at least one: 10x"),
          "classic", 5, vanishing_gradient_ratio,
          adequacy=gradient_adequacy,
          note="Decided where the claim was made: plain SGD from the standard initialisation, "
               "where a layer's learning speed is its gradient norm times the rate. With Adam "
               "and modern initializers (the depth sweep, secondary tests) the ratio is of "
               "gradient norms only. Its only adequacy check is that no run diverged: a network "
               "whose first layers barely learn is what the claim predicts, not a failed "
               "experiment."),
    Claim(4, "ReLU is cheaper to compute than sigmoid and tanh, and so speeds up training.",
          "Medium post on popular activation functions; most overviews", _COST,
          Test("one training epoch of an MNIST MLP (recording off), over this machine's "
               "builds: each of sigmoid and tanh / ReLU, one component each (×)", "x", "above",
               COST_MARGIN, _SAME_REASON_COST),
          "activation_cost", 5, rectifier_cost, adequacy=rectifier_cost_adequacy,
          note="Epochs to a target accuracy are secondary: the source's reason is compute. "
               + _TIMING_NOTE),
    Claim(5, "ReLU units can die; leaky ReLU, PReLU and ELU leave fewer dead units.",
          "Maas et al. (2013), He et al. (2015), Clevert et al. (2015); tutorials",
          "05_gradient_flow#Inactive-and-dead-units",
          Test("dead units at the high learning rate (a unit's pre-activation negative on every "
               "probe input from some epoch to the end): ReLU's share minus each of leaky "
               "ReLU's, PReLU's and ELU's, one component each (pp of units)", "pp", "above",
               UNIT_MARGIN,
               "ours (no source gives a number): 2 pp is about one unit of a 64-unit layer; less "
               "changes nothing a user sees"),
          "dying", 20, dead_units_by_rectifier,
          adequacy=dying_adequacy,
          note="\"Dead\" is defined for every activation: the unit's pre-activation is negative "
               "on every probe input at each recorded epoch from some epoch to the end, and at "
               "least at the last two (through an epoch of training); an output of exactly 0, "
               "ReLU's sense, the alternatives can never give. 20 seeds: at the 10-seed "
               "spread of the earlier count, 20 detect about 2 pp beyond the margin. Units "
               "inactive on 99% of the inputs at the end are a secondary test."),
    Claim(6, "Tanh, being zero-centred, converges faster than sigmoid.",
          "LeCun et al. (1998), Efficient BackProp; tutorials", _CURVES,
          Test("mean validation loss over epochs, MNIST MLP with Adam: sigmoid / tanh (×)", "x",
               "above", COST_MARGIN,
               "ours (no source gives a number): a loss curve 10% lower on average is a "
               "difference a user notices; less is within what a learning-rate change does"),
          "images", 5, tanh_against_sigmoid_convergence,
          adequacy=images_adequacy,
          note="Its only adequacy check is that no run diverged: a claim about how fast curves fall "
               "compares them over the same budget, so runs still improving at its end are part of "
               "what it measures, not a failure of it."),
    Claim(7, "Softplus costs more compute than ReLU without an accuracy advantage.",
          "Glorot, Bordes & Bengio (2011); overviews", _COST,
          Test("one training epoch of an MNIST MLP (recording off), over this machine's "
               "builds: softplus / ReLU (×)", "x", "above", COST_MARGIN, _SAME_REASON_COST),
          "activation_cost", 5, softplus_cost, adequacy=softplus_cost_adequacy,
          note=_TIMING_NOTE),
    Claim(8, "GELU is costlier than ReLU; its tanh approximation is accurate and cheaper.",
          "Hendrycks & Gimpel (2016); framework documentation", _COST,
          Test("one training epoch of an MNIST MLP (recording off), over this machine's "
               "builds: GELU / ReLU (×)", "x", "above", COST_MARGIN, _SAME_REASON_COST),
          "activation_cost", 5, gelu_cost_and_approximation, adequacy=gelu_cost_adequacy,
          note=_TIMING_NOTE),
    Claim(9, "Swish and GELU have a slight edge over ReLU in deeper networks.",
          "Ramachandran et al. (2017): +0.6 to 0.9% top-1 on ImageNet",
          "04_mnist_convergence#Depth-with-tuned-learning-rates-and-early-stopping",
          Test("test error at the deepest tuned depth (8 hidden layers), every network at its "
               "validation-chosen rate with early stopping: ReLU's / each of Swish's and "
               "GELU's, one component each (×)", "x", "above", EDGE_MARGIN,
               "the source's smallest edge, 0.6 pp of top-1 accuracy at about 25% error on "
               "ImageNet, is 2.4% fewer errors; MNIST's errors are about a tenth of ImageNet's, "
               "so the edge is stated as a relative reduction in error"),
          "depth_tuned", 10, smooth_rectifiers_in_depth,
          adequacy=depth_adequacy,
          note="Each component needs its own and ReLU's experiment to have worked: rates inside "
               "the grid, runs not cut short. The depth sweep's deeper networks (10 and 20 "
               "layers, one rate for all, 3 epochs) are secondary tests."),
    Claim(10, "Bounded activations (sigmoid, tanh) keep gradients from exploding; unbounded ReLU "
              "can explode with large initial weights.",
          "Course page on activations and gradient flow; overviews of activation properties",
          "05_gradient_flow#Gradient-growth-against-the-initial-weight-scale",
          Test("per-layer growth of the back-propagated gradient at initialisation, at the "
               "largest initial weights (3x), each of sigmoid and tanh, one component each (×)",
               "x", "below",
               COST_MARGIN,
               "ours (no source gives a number): a factor of 1.1 per layer compounds to about 7x "
               "over 20 layers; below it nothing explodes at these depths"),
          "large_init", 5, gradient_growth_with_init_scale),
    Claim(11, "The binary step's gradient is zero, so back-propagation cannot train it: "
              "improvement of the model does not really happen.",
          "Wiki page on types of activation functions; popular articles",
          "04_mnist_convergence#The-binary-step:-what-learns",
          Test("the binary-step MLP trained by back-propagation: its improvement over its "
               "initialisation (validation loss, ×) and over chance (test accuracy, pp), one "
               "component each", "x", "equivalence", STEP_LOSS_MARGIN,
               "ours (the source gives no number): a validation loss within 5% of where it started, "
               "or an accuracy within 1 pp of chance, is no improvement a user would keep a "
               "model for"),
          "binary_step", 10, binary_step_learning,
          adequacy=binary_step_adequacy,
          note="The hidden layers get exactly zero gradient (a secondary test), so the trained "
               "network equals the one with frozen hidden layers; the output layer, after the "
               "last step, still learns. The same step through a straight-through estimator "
               "(a surrogate derivative) is the contrast: what the hidden layers learn once a "
               "signal reaches them. Its only adequacy check is that no run diverged."),
    Claim(12, "ReLU gives sparse activations: only a few neurons are activated.",
          "Glorot, Bordes & Bengio (2011); course page on activations",
          "05_gradient_flow#Exact-zeros-before-and-after-training",
          Test("ReLU layers' share of exactly zero outputs on the probe batch after training, "
               "one component per depth (% of outputs)", "%", "above", SPARSE_SHARE,
               "ours (no source gives a number): \"only a few neurons are activated\" means "
               "most are not, so more than half of the outputs are exactly zero. The claim "
               "names no depth, so it is read as holding at every depth studied"),
          "depth_sweep", 10, relu_sparsity,
          adequacy=sparsity_adequacy,
          note="Symmetric pre-activations give about 50% zeros at initialisation by themselves; "
               "what training adds, and the smooth activations' shares (about 0%), are "
               "secondary tests. The source's consequence, that sparsity makes a network less "
               "prone to overfitting, is not tested: it needs networks of equal accuracy and "
               "different sparsity, which these studies do not make."),
    Claim(13, "ELU converges faster than ReLU while avoiding dead units.",
          "Clevert, Unterthiner & Hochreiter (2015)",
          "04_mnist_convergence#ELU-against-ReLU-in-the-ELU-paper's-setting",
          Test("mean training loss over epochs in the ELU paper's MNIST setting (deeper MLP, "
               "SGD): ReLU / ELU (×)", "x", "above", COST_MARGIN,
               "ours (no source gives a number): a loss curve 10% lower on average is a "
               "difference a user notices"),
          "elu_setting", 10, elu_against_relu,
          adequacy=elu_adequacy,
          note="Its only adequacy check is that no run diverged: a claim about how fast curves fall "
               "compares them over the same budget, so runs still improving at its end are part of "
               "what it measures, not a failure of it."),
    Claim(14, "More hidden layers give higher accuracy.",
          "MissingLink's guide: a deep network has 2 to 8 additional layers; a beginner's heuristic",
          "04_mnist_convergence#Depth-with-tuned-learning-rates-and-early-stopping",
          Test("test accuracy gained per doubling of depth, 1 to 8 hidden layers, each at its "
               "validation-chosen learning rate with early stopping; one component per "
               "activation (pp)", "pp", "above", DEPTH_MARGIN,
               "ours (no source gives a number): a doubling that buys less than 0.2 pp is not "
               "the \"higher accuracy\" promised. "
               "The claim names no activation, so it is read as holding for every one studied"),
          "depth_tuned", 10, accuracy_against_depth,
          adequacy=tuned_depth_adequacy),
    Claim(15, "PReLU's learned slope raises the risk of overfitting compared with leaky ReLU.",
          "He et al. (2015); \"All About Activation Functions\"",
          "04_mnist_convergence#PReLU-against-leaky-ReLU-from-the-same-slope",
          Test("train - validation accuracy gap on a small training set, both from the same "
               "slope: PReLU - leaky ReLU (pp)", "pp", "above", 0.5,
               "ours (no source gives a number): half a point more gap is the least overfitting "
               "a user would act on"),
          "prelu_overfitting", 10, prelu_overfitting,
          adequacy=prelu_adequacy),
    Claim(16, "MLPs with ordinary activations learn arithmetic inside their training range but do "
              "not extrapolate it beyond; the NALU, which adds in linear and multiplies in log "
              "space under a learned gate, does.",
          "Trask et al. (2018), \"Neural Arithmetic Logic Units\", NeurIPS",
          "07_arithmetic_extrapolation#Interpolation-and-extrapolation-errors",
          Test("a × b, inputs outside the training range: the share of seeds that extrapolate "
               "(error under 1% of the untrained model's), with its exact binomial interval; "
               "the NALU's above 50%, the MLP's with the lowest validation error below it, one "
               "component each (% of seeds)", "%", "above", SUCCESS_MARGIN,
               "ours (the source gives no number): a model extrapolates when it does in most "
               "seeds, and does not when it fails in most"),
          "arithmetic", 10, arithmetic_extrapolation,
          adequacy=arithmetic_adequacy,
          note="Multiplication decides it: the task the NALU was made for; addition and "
               "subtraction are linear, so the identity MLP (a linear model) extrapolates them "
               "exactly and they test nothing about activations. The ratio of extrapolation "
               "errors, on every task and for every MLP, is secondary. A run that diverged, or "
               "whose error overflows, counts as failing. The MLP is chosen on validation error "
               "inside the training range, never on the error it is tested on."),
    Claim(17, "At initialisation, mean-field theory predicts how the back-propagated gradient "
              "grows or shrinks per layer, for every activation and initializer.",
          "Poole et al. (2016); Schoenholz et al. (2017): mean-field signal propagation",
          "05_gradient_flow#Theory-beside-measurement",
          Test("measured / predicted per-layer growth of ||dC/db_l|| at the first step, 10 layers "
               "of 64, one component per activation and initializer pair (×)", "x",
               "equivalence", THEORY_MARGIN,
               "ours (no source gives a number): at width 64 a layer's error norm fluctuates by "
               "about 9% around the mean-field "
               "value, about 3% per layer over a ten-layer fit; 1.1 is three times that"),
          "initializer_activation", 5, theory_agreement,
          note="Every pair must agree for \"supported\"; any pair that disagrees (Holm-adjusted "
               "over the pairs) makes it \"contradicted\". The prediction is for one "
               "input's error with each layer's own q from the data (analysis.theory); the "
               "measured norm is of the batch's summed error, whose cross-input terms follow "
               "another map."),
    Claim(18, "Begin with ReLU, and move to other activation functions only where ReLU does not "
              "give the best results: with every activation at its own tuned learning rate, "
              "ReLU is in the top tier on each dataset.",
          "\"Choosing Activation Functions\" advice; the default in most frameworks' examples",
          "04_mnist_convergence#Rankings-at-a-fixed-rate-and-at-the-best-rates",
          Test("test error, every activation at its validation-chosen learning rate: ReLU's / "
               "the best alternative's (the activation other than ReLU best on validation "
               "accuracy), one component per dataset (×)", "x", "below", TIER_MARGIN,
               "ours (the source gives no number): the top tier is within 10% of the best "
               "alternative's errors; an alternative that makes 10% fewer errors is worth "
               "moving to, less is within what a learning-rate change does"),
          "learning_rate", 5, relu_first,
          adequacy=relu_first_adequacy,
          note="MNIST and Fashion-MNIST from the learning-rate study (Adam), the harder "
               "synthetic tasks from 03 (each activation at its rate chosen per task), each a "
               "component: ReLU is a good first choice only if it is on every one. The best "
               "alternative is chosen on validation accuracy, never on the test error it is "
               "compared on. The harder tasks have 10 seeds."),
    Claim(19, "Experimenting with different activation functions for different problems "
              "achieves much better results: the choice among modern activations moves "
              "accuracy more than the learning-rate choice and the seed do.",
          "Article on activation functions and their selection",
          "04_mnist_convergence#Rankings-at-a-fixed-rate-and-at-the-best-rates",
          Test("a nested variance decomposition of test accuracy over the modern activations "
               "(rectifiers and smooth rectifiers), each at its chosen rate and the grid's two "
               "nearest, and seeds: SD between activations / SD of one run from the rate and "
               "the seed together, 95% bootstrap interval over seeds; one component per "
               "dataset", "", "above", CHOICE_MARGIN,
               "ours (the source gives no number): the choice matters when it moves accuracy "
               "more than the choices a user makes anyway (the rate among the near-best, the "
               "seed)"),
          "learning_rate", 5, choice_matters,
          adequacy=choice_adequacy,
          note="The decomposition is ANOVA's for a balanced nested design (activation, rate "
               "within activation, seed), which equals the mixed model's REML estimate where "
               "that is positive. The rates near each activation's best are the ones a tuner "
               "lands among; rates far off the best would make the rate look like all that "
               "matters. The harder synthetic tasks (03, 10 seeds) are components beside "
               "MNIST and Fashion-MNIST. An SD ratio of exactly 0 is ANOVA's negative estimate "
               "of the between-activation variance set to 0: less spread between activations "
               "than their runs' own, not a measured zero. The interval's detectable effect is "
               "a normal approximation from the bootstrap draws' spread."),
]

# Each claim's sentence in ../shared/sources, verbatim ("…" marks an omission), and its file.
_QUOTES = {
    1: ("003_d11bb1c84bc57827.txt",
         "Without activation functions, a neural network, regardless of how many layers it has, "
         "would essentially behave like a linear model … The ReLU model learns the sine wave "
         "quite well … The linear model struggles โ it can only form a straight or very shallow "
         "curve",
        False),
    2: ("002_37e775ef2faa5e0b.txt",
         "Not possible to use backpropagation (gradient descent) to train the model—the "
         "derivative of the function is a constant, and has no relation to the input, X.",
        False),
    3: ("003_d11bb1c84bc57827.txt",
         "Sigmoid and tanh squish input values into small ranges, which can make gradients tiny "
         "during backpropagation (leading to slow or stalled learning). … ReLU doesnโt squash "
         "input โ its gradient is 1 for positive values, so gradients stay healthy and learning "
         "is faster.",
        False),
    4: ("001_025a89e6651326c7.txt",
         "This function is more computationally efficient compared to the sigmoid and the tanh "
         "function. Hence, using this function speeds up the training time.",
        False),
    5: ("003_d11bb1c84bc57827.txt",
         "If too many neurons output zero (never activate), they might stop learning โ we say "
         "theyโre โdeadโ. … Use Leaky ReLU: Allows a small, non-zero gradient for negative "
         "inputs. … Parametric ReLU (PReLU) or ELU are other alternatives.",
        False),
    6: ("000_d773acbcb4226dd7.txt",
         "Tanh is similar to the sigmoid function … however, it is centered around 0 with a "
         "range from -1 to 1, exclusive. … The tanh function helps center the data, potentially "
         "leading to faster convergence",
        False),
    7: ("000_d773acbcb4226dd7.txt",
         "Softplus is not really used in practice since it increases the computing power needed "
         "without much of an advantage over even the standard ReLU.",
        False),
    8: ("000_d773acbcb4226dd7.txt",
         "The GeLU is smooth and differentiable, combining the properties of dropout and ReLU to"
         " improve performance, although it is computationally expensive. … This approximation "
         "is accurate enough to be used in practice to speed up computational speed.",
        False),
    9: ("002_37e775ef2faa5e0b.txt",
         "According to their paper, it performs better than ReLU with a similar level of "
         "computational efficiency. In experiments on ImageNet with identical models running "
         "ReLU and Swish, the new function achieved top -1 classification accuracy 0.6-0.9% "
         "higher.",
        False),
    10: ("003_d11bb1c84bc57827.txt",
         "Exploding Gradient Problem (can happen in deep networks with unbounded activations): …"
         " This happens when activations amplify inputs too much (e.g., using very large initial"
         " weights in ReLU). … Sigmoid | โ No (vanishing gradient for extreme values) | โ Yes "
         "(bounded output)",
        False),
    11: ("004_8f79222b5d9e1cb1.txt",
         "the gradient of the step function is zero. This makes the step function not so useful "
         "since during back-propagation … The gradient of the step function reduces it all to "
         "zero and improvement of the models doesn’t really happen.",
        False),
    12: ("003_d11bb1c84bc57827.txt",
         "ReLU outputs zero for negative inputs, meaning many neurons are inactive at a given "
         "time. … This sparsity makes the network more efficient and less prone to overfitting.",
        False),
    13: ("000_d773acbcb4226dd7.txt",
         "The ELU is accurate and produces better results along with reducing the vanishing "
         "gradient problem yet preserving an element of the ReLU (while simultaneously improving"
         " the dying ReLU problem). … It is used in deep networks that need decently fast "
         "convergence and good performance.",
        True),
    14: ("002_37e775ef2faa5e0b.txt",
         "A Deep Neural Network (DNN) commonly has between 2-8 additional layers of neurons. "
         "Research from Goodfellow, Bengio and Courville and other experts suggests that neural "
         "networks increase in accuracy with the number of hidden layers.",
        False),
    15: ("000_d773acbcb4226dd7.txt",
         "PReLU allows the network to learn the optimal value of the negative slope, making it "
         "easier to use than the Leaky ReLU, however also introducing additional parameters, "
         "which increases the risk of overfitting.",
        False),
    16: ("004_8f79222b5d9e1cb1.txt",
         "they seldom generalize well outside of the range of numerical values encountered "
         "during training. … linear activations which are manipulated using primitive arithmetic"
         " operators, controlled by learned gates. … we obtain substantially better "
         "generalization both inside and outside of the range of numerical values encountered "
         "during training",
        False),
    17: ("004_8f79222b5d9e1cb1.txt",
         "Different choices of activation functions and weight initialization schemes can have a"
         " significant impact on the network's performance and convergence.",
        True),
    18: ("004_8f79222b5d9e1cb1.txt",
         "Begin with using ReLU function and then move over to other activation functions in "
         "case ReLU doesn’t provide with optimum results.",
        False),
    19: ("002_37e775ef2faa5e0b.txt",
         "When building a model and training a neural network, the selection of activation "
         "functions is critical. Experimenting with different activation functions for different"
         " problems will allow you to achieve much better results.",
        False),
}

CLAIMS = [dataclasses.replace(claim, quote=_QUOTES[claim.id][1], quote_file=_QUOTES[claim.id][0],
                               quote_is_closest=_QUOTES[claim.id][2]) for claim in CLAIMS]



def evaluate(context: Context | str, claims=None, progress: bool = True) -> pd.DataFrame:
    """The verdict table under a profile (a name, or a :class:`Context` to share its runs).

    One row per claim: the verdict and the primary test's effect, interval,
    prediction, minimum detectable effect and seeds (as text, and as numbers in
    the statistic's unit for plots), then every secondary test with its
    Bonferroni-adjusted p-value, its interval at the adjusted level. A claim about several things (its measure returns
    one interval per component, e.g. sigmoid and tanh) has a row of its own per
    component ("3a", "3b"), each tested against the claim's margin, and the
    claim's row takes the intersection-union verdict over them
    (:func:`actstudy.claims.verdicts.intersection_union`); its numbers are the
    components'. ``row`` names each row, ``component`` its component ("" on a
    claim's own row).
    """
    ctx = context if isinstance(context, Context) else Context(context, progress=progress)
    rows = []
    for claim in claims or CLAIMS:
        primary, secondary = claim.measure(ctx)
        found = claim.checks(ctx)
        per_component = found if isinstance(found, dict) else None
        checks = ([c for part in found.values() for c in part] if per_component is not None
                  else found)
        reason = "; ".join(dict.fromkeys(check.reason() for check in adequacy.failed(checks)))
        test = claim.primary
        checked = secondary_verdicts(secondary)
        common = {
            "id": claim.id, "claim": claim.text, "source": claim.source,
            "inadequate": reason,
            "adequacy": [{"condition": c.condition, "passed": c.passed, "detail": c.detail,
                          "gates": c.gates} for c in checks],
            **_stated(test), "study": claim.study, "profile": ctx.profile, "note": claim.note,
            "evidence": claim.evidence, "quote": claim.quote, "quote_file": claim.quote_file,
            "quote_is_closest": claim.quote_is_closest,
            # what a primary interval's n counts: the timing claims pool builds' occasions
            "counted": "timing occasions" if claim.study == "activation_cost" else "seeds",
        }
        components = primary if isinstance(primary, dict) else {"": primary}
        if per_component is not None and set(per_component) != set(components):
            raise ValueError(f"claim {claim.id}: its adequacy checks name the components "
                             f"{sorted(per_component)}, its measure {sorted(components)}")
        own = ({label: "; ".join(c.reason() for c in adequacy.failed(per_component[label]))
                for label in components} if per_component is not None
               else dict.fromkeys(components, reason))
        # A component may bring its own test (a Measurement: another statistic or side, e.g.
        # a success rate per model); an interval is tested against the claim's primary test.
        measured = {label: (dataclasses.replace(value, inadequate=value.inadequate or own[label])
                            if isinstance(value, Measurement)
                            else Measurement(test, value, own[label]))
                    for label, value in components.items()}
        if per_component is not None:  # each check named by its component, once
            common["adequacy"] = [{"condition": c.condition, "passed": c.passed,
                                   "detail": f"{label}: {c.detail}", "gates": c.gates}
                                  for label, part in per_component.items() for c in part]
        several = len(measured) > 1 or any(measured)
        judged = (component_verdicts(list(measured.values())) if several
                  else [m.verdict for m in measured.values()])
        alone = (component_verdicts([Measurement(m.test, m.interval) for m in measured.values()])
                 if several else [verdict(m.interval, m.test) for m in measured.values()])
        parts = [{**common, "row": f"{claim.id}{_letter(k)}" if label else str(claim.id),
                  "component": label, "verdict": judged[k], "inadequate": m.inadequate,
                  "interval_verdict": alone[k], **_stated(m.test),
                  "effect": format_interval(m.interval, m.test),
                  "detectable": m.detectable_effect(), "seeds": m.interval.n,
                  "mean": m.test.show(m.interval.mean), "ci_low": m.test.show(m.interval.low),
                  "ci_high": m.test.show(m.interval.high), "secondary": []}
                 for k, (label, m) in enumerate(measured.items())]
        secondary_rows = [{"test": m.test.statistic, "effect": format_interval(shown, m.test),
                           "prediction": m.test.prediction, "p": p, "verdict": v,
                           "level": secondary_level(len(secondary)),
                           "inadequate": m.inadequate}
                          for m, (p, v, shown) in zip(secondary, checked, strict=True)]
        if len(parts) == 1 and not parts[0]["component"]:
            parts[0]["secondary"] = secondary_rows
            rows.extend(parts)
            continue
        tested = intersection_union([part["interval_verdict"] for part in parts])
        # Each component's own verdict (undecided where its experiment failed a check) enters
        # the claim's; with checks for the whole claim, a failure leaves every one undecided.
        overall = intersection_union([part["verdict"] for part in parts])
        # components with tests of their own: the claim's row names each one's prediction
        predictions = dict.fromkeys(part["prediction"] for part in parts)
        rows.append({**common, "row": str(claim.id), "component": "",
                     "prediction": "; ".join(predictions) if len(predictions) > 1
                     else common["prediction"],
                     "verdict": overall, "interval_verdict": tested,
                     # the claim's own row gives a reason only where a failed check left it
                     # undecided though its intervals alone would decide it; its components'
                     # rows give theirs
                     "inadequate": reason if overall == "undecided" and tested != "undecided"
                     else "",
                     "effect": "; ".join(f"{part['component']}: {part['effect']}"
                                         for part in parts),
                     "detectable": "per component", "seeds": max(p["seeds"] for p in parts),
                     "mean": float("nan"), "ci_low": float("nan"), "ci_high": float("nan"),
                     "secondary": secondary_rows})
        rows.extend(parts)
    return pd.DataFrame(rows)


def _stated(test: Test) -> dict:
    """A test's columns in the verdict table: what it measures and what the claim predicts."""
    return {"statistic": test.statistic, "unit": test.unit, "prediction": test.prediction,
            "reason": test.reason, "margin": test.margin, "kind": test.kind}


def _letter(k: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[k]
