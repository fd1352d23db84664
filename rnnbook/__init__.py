"""rnnbook: recurrent neural networks in plain numpy, as the book teaches them.

Layout (as in the notes): inputs ``x`` are ``(n_x, m, T_x)``, hidden states
``(n_a, m)`` per step and ``(n_a, m, T_x)`` over time, biases ``(n, 1)``;
parameters are a dict.  See the module docstrings of ``rnnbook.rnn``,
``rnnbook.lstm`` and ``rnnbook.gru`` for each model's parameter table.
"""

from rnnbook.activations import sigmoid, softmax
from rnnbook.attention import (
    attention_backward,
    attention_forward,
    dot_attention_backward,
    dot_attention_forward,
    masked_softmax,
)
from rnnbook.decoding import beam_search, greedy_decode
from rnnbook.gradcheck import gradient_check, numerical_gradient, relative_error
from rnnbook.gru import (
    gru_backward,
    gru_cell_backward,
    gru_cell_forward,
    gru_forward,
    gru_loss_and_grads,
)
from rnnbook.loss import output_layer_loss, softmax_cross_entropy
from rnnbook.lstm import (
    lstm_backward,
    lstm_cell_backward,
    lstm_cell_forward,
    lstm_forward,
    lstm_loss_and_grads,
)
from rnnbook.ngram import KneserNey
from rnnbook.parameters import init_gru_parameters, init_lstm_parameters, init_rnn_parameters
from rnnbook.rnn import (
    rnn_backward,
    rnn_cell_backward,
    rnn_cell_forward,
    rnn_forward,
    rnn_loss_and_grads,
)
from rnnbook.seq2seq import (
    init_seq2seq_parameters,
    seq2seq_backward,
    seq2seq_forward,
    seq2seq_loss_and_grads,
    sequence_log_probs,
)
from rnnbook.stacked import stacked_backward, stacked_forward

__version__ = "0.1.0"

__all__ = [
    "sigmoid",
    "softmax",
    "softmax_cross_entropy",
    "output_layer_loss",
    "numerical_gradient",
    "relative_error",
    "gradient_check",
    "init_rnn_parameters",
    "init_lstm_parameters",
    "init_gru_parameters",
    "rnn_cell_forward",
    "rnn_forward",
    "rnn_cell_backward",
    "rnn_backward",
    "rnn_loss_and_grads",
    "lstm_cell_forward",
    "lstm_forward",
    "lstm_cell_backward",
    "lstm_backward",
    "lstm_loss_and_grads",
    "gru_cell_forward",
    "gru_forward",
    "gru_cell_backward",
    "gru_backward",
    "gru_loss_and_grads",
    "stacked_forward",
    "stacked_backward",
    "masked_softmax",
    "attention_forward",
    "attention_backward",
    "dot_attention_forward",
    "dot_attention_backward",
    "init_seq2seq_parameters",
    "seq2seq_forward",
    "seq2seq_backward",
    "seq2seq_loss_and_grads",
    "sequence_log_probs",
    "greedy_decode",
    "beam_search",
    "KneserNey",
]
