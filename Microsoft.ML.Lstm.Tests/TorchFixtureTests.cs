namespace Microsoft.ML.Lstm.Tests;

public class TorchFixtureTests
{
    /// <summary>Every fixture file with its gate count (LSTM 4, GRU 3).</summary>
    public static TheoryData<string, int> Files => new()
    {
        { "lstm.txt", 4 },
        { "gru.txt", 3 },
        { "bilstm2.txt", 4 },
        { "packed_lstm.txt", 4 },
        { "packed_bigru.txt", 3 },
        { "lstm_initial_state.txt", 4 },
        { "state_lstm.txt", 4 },
        { "state_gru.txt", 3 },
        { "state_bilstm2.txt", 4 },
        { "state_bigru2.txt", 3 },
    };

    /// <summary>Every fixture file.</summary>
    public static TheoryData<string> FileNames => new(Files.Select(row => (string)row[0]));

    [Fact]
    public void LstmFixtureHasPyTorchParameterShapes()
    {
        var fixture = TorchFixture.Load("lstm.txt");
        Assert.Equal(new[] { 16, 5 }, fixture.Shape("weight_ih_l0"));
        Assert.Equal(new[] { 16, 4 }, fixture.Shape("weight_hh_l0"));
        Assert.Equal(new[] { 16 }, fixture.Shape("bias_ih_l0"));
        Assert.Equal(new[] { 16 }, fixture.Shape("bias_hh_l0"));
        Assert.Equal(new[] { 3, 6, 4 }, fixture.Shape("output"));
        Assert.Equal(new[] { 6, 6, 6 }, fixture.Ints("lengths"));
        Assert.Empty(fixture.Shape("loss"));
    }

    [Fact]
    public void StackedBidirectionalFixtureFeedsBothDirectionsToTheSecondLayer()
    {
        var fixture = TorchFixture.Load("bilstm2.txt");
        Assert.Equal(new[] { 16, 5 }, fixture.Shape("weight_ih_l0_reverse"));
        Assert.Equal(new[] { 16, 8 }, fixture.Shape("weight_ih_l1"));
        Assert.Equal(new[] { 16, 8 }, fixture.Shape("weight_ih_l1_reverse"));
        Assert.Equal(new[] { 4, 3, 4 }, fixture.Shape("h_n"));
    }

    [Fact]
    public void PackedFixturesKeepTheCallersOrderOfUnequalLengths()
    {
        Assert.Equal(new[] { 4, 6, 1, 3 }, TorchFixture.Load("packed_lstm.txt").Ints("lengths"));
        Assert.Equal(new[] { 4, 6, 1, 3 }, TorchFixture.Load("packed_bigru.txt").Ints("lengths"));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void ShapesAreConsistent(string file, int gates)
    {
        var fixture = TorchFixture.Load(file);
        int inputSize = fixture.Int("input_size");
        int hiddenSize = fixture.Int("hidden_size");
        int layers = fixture.Int("num_layers");
        int directions = fixture.Int("num_directions");
        int[] lengths = fixture.Ints("lengths");
        int batch = lengths.Length;
        int steps = lengths.Max();

        Assert.Equal(new[] { batch, steps, inputSize }, fixture.Shape("input"));
        Assert.Equal(new[] { batch, steps, inputSize }, fixture.Shape("grad_input"));
        Assert.Equal(new[] { batch, steps, directions * hiddenSize }, fixture.Shape("output"));
        Assert.Equal(new[] { batch, steps, directions * hiddenSize }, fixture.Shape("R"));
        Assert.Equal(new[] { layers * directions, batch, hiddenSize }, fixture.Shape("h_n"));
        Assert.Equal(gates == 4, fixture.Contains("c_n"));
        if (gates == 4)
            Assert.Equal(new[] { layers * directions, batch, hiddenSize }, fixture.Shape("c_n"));
        if (fixture.Contains("h0"))
        {
            Assert.Equal(fixture.Shape("h_n"), fixture.Shape("h0"));
            Assert.Equal(fixture.Shape("h_n"), fixture.Shape("grad_h0"));
            Assert.Equal(gates == 4, fixture.Contains("c0") && fixture.Contains("grad_c0"));
            if (gates == 4)
            {
                Assert.Equal(fixture.Shape("h_n"), fixture.Shape("c0"));
                Assert.Equal(fixture.Shape("h_n"), fixture.Shape("grad_c0"));
            }
        }
        if (fixture.Contains("Rh"))
        {
            // The state cases: initial states in and final-state loss weights for every layer and direction.
            Assert.True(fixture.Contains("h0"));
            Assert.Equal(fixture.Shape("h_n"), fixture.Shape("Rh"));
            Assert.Equal(gates == 4, fixture.Contains("Rc"));
            if (gates == 4)
                Assert.Equal(fixture.Shape("h_n"), fixture.Shape("Rc"));
        }
        else
        {
            Assert.False(fixture.Contains("Rc"));
        }

        int parameterTensors = 0;
        for (int layer = 0; layer < layers; layer++)
        {
            for (int direction = 0; direction < directions; direction++)
            {
                string suffix = $"_l{layer}" + (direction == 1 ? "_reverse" : "");
                int layerInput = layer == 0 ? inputSize : directions * hiddenSize;
                AssertParameter(fixture, "weight_ih" + suffix, gates * hiddenSize, layerInput);
                AssertParameter(fixture, "weight_hh" + suffix, gates * hiddenSize, hiddenSize);
                AssertParameter(fixture, "bias_ih" + suffix, gates * hiddenSize);
                AssertParameter(fixture, "bias_hh" + suffix, gates * hiddenSize);
                parameterTensors += 4;
            }
        }
        Assert.Equal(parameterTensors, fixture.Names.Count(n => n.StartsWith("weight_", StringComparison.Ordinal) || n.StartsWith("bias_", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(FileNames))]
    public void LossIsOutputWeightedByROverValidStepsPlusFinalStatesWeightedByRhAndRc(string file)
    {
        var fixture = TorchFixture.Load(file);
        double loss = WeightedSum(fixture, "output", "R");
        if (fixture.Contains("Rh"))
            loss += WeightedSum(fixture, "h_n", "Rh");
        if (fixture.Contains("Rc"))
            loss += WeightedSum(fixture, "c_n", "Rc");
        Assert.Equal(fixture["loss"][0], loss, 1e-12);

        // Padded steps hold zeros in everything laid out [B, T, …].
        int[] lengths = fixture.Ints("lengths");
        int steps = fixture.Shape("input")[1];
        foreach (string name in new[] { "input", "grad_input", "output", "R" })
        {
            double[] values = fixture[name];
            int width = fixture.Shape(name)[2];
            for (int b = 0; b < lengths.Length; b++)
            {
                for (int t = lengths[b]; t < steps; t++)
                {
                    for (int k = 0; k < width; k++)
                        Assert.Equal(0.0, values[(b * steps + t) * width + k]);
                }
            }
        }
    }

    [Fact]
    public void ParseReadsScalarsAndRejectsAShortValueLine()
    {
        var fixture = TorchFixture.Parse("# comment\nloss\n1.5\nw 2 2\n1 2 3 4\n", "inline");
        Assert.Equal(new[] { 1.5 }, fixture["loss"]);
        Assert.Equal(new[] { 2, 2 }, fixture.Shape("w"));
        Assert.Equal(new[] { 1.0, 2.0, 3.0, 4.0 }, fixture["w"]);

        var error = Assert.Throws<InvalidDataException>(() => TorchFixture.Parse("w 2 2\n1 2 3\n", "inline"));
        Assert.Contains("needs 4 values, found 3", error.Message);
    }

    [Fact]
    public void ValuesRoundTripExactly()
    {
        // '%.17g' round-trips: the first input value parses to the double Python wrote.
        var fixture = TorchFixture.Load("lstm.txt");
        Assert.Equal(-2.7919827810617694, fixture["input"][0]);
    }

    private static double WeightedSum(TorchFixture fixture, string values, string weights)
    {
        double[] v = fixture[values], w = fixture[weights];
        Assert.Equal(v.Length, w.Length);
        double sum = 0;
        for (int i = 0; i < v.Length; i++)
            sum += v[i] * w[i];
        return sum;
    }

    private static void AssertParameter(TorchFixture fixture, string name, params int[] shape)
    {
        Assert.Equal(shape, fixture.Shape(name));
        Assert.Equal(shape, fixture.Shape("grad_" + name));
    }
}
