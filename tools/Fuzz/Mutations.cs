namespace AiAgent.Fuzz;

/// <summary>AFL-like havoc edits for the in-process fallback: flipped bits, random or inserted bytes, cuts, and length fields set to edge values.</summary>
internal static class Mutations
{
    private static readonly ushort[] s_edgeLengths = [0, 1, 2, 15, 16, 17, 319, 320, 321, 16_384, 65_535];

    public static byte[] Mutate(byte[] input, Random random)
    {
        var bytes = new List<byte>(input);
        for (var edits = random.Next(1, 8); edits > 0; edits--)
        {
            if (bytes.Count == 0)
            {
                bytes.Add((byte)random.Next(256));
                continue;
            }

            var at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes[at] = (byte)random.Next(256); break;
                case 2: bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 16)).Select(_ => (byte)random.Next(256))); break;
                case 3: bytes.RemoveRange(at, random.Next(1, bytes.Count - at + 1)); break;
                default:
                    if (at + 2 < bytes.Count)
                    {
                        var length = s_edgeLengths[random.Next(s_edgeLengths.Length)];
                        bytes[at + 1] = (byte)(length >> 8);
                        bytes[at + 2] = (byte)length;
                    }

                    break;
            }
        }

        return [.. bytes];
    }
}
