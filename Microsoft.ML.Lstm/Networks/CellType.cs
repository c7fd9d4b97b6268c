namespace Microsoft.ML.Lstm.Networks;

/// <summary>The recurrent cell of a layer.</summary>
internal enum CellType
{
    /// <summary>Long short-term memory (PyTorch's nn.LSTM).</summary>
    Lstm,

    /// <summary>LSTM whose gates also look at the cell state (Gers &amp; Schmidhuber).</summary>
    PeepholeLstm,

    /// <summary>Gated recurrent unit (PyTorch's nn.GRU).</summary>
    Gru,
}
