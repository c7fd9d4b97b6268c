namespace Microsoft.ML.Lstm;

/// <summary>The recurrent cell an LSTM trainer builds its layers from.</summary>
public enum RecurrentCellType
{
    /// <summary>Long short-term memory: input, forget and output gates around a cell state (as PyTorch's <c>nn.LSTM</c>).</summary>
    Lstm,

    /// <summary>LSTM whose gates also see the cell state (peephole connections); slower, sometimes better on precise timing.</summary>
    PeepholeLstm,

    /// <summary>Gated recurrent unit: update and reset gates, no separate cell state; fewer weights than an LSTM.</summary>
    Gru,
}
