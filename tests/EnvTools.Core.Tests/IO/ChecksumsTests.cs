using System.Security.Cryptography;
using System.Text;
using EnvTools.IO;
using Xunit;

namespace EnvTools.Tests.IO;

public class ChecksumsTests
{
    // RFC 1321 and FIPS 180-2 test vectors for "abc".
    private const string AbcMd5 = "900150983cd24fb0d6963f7d28e17f72";
    private const string AbcSha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    [Fact]
    public void HexOfBytesIsTheLowerCaseHashOfTheChosenAlgorithm()
    {
        Assert.Equal(AbcMd5, Checksums.HexOf(HashAlgorithmName.MD5, "abc"u8));
        Assert.Equal(AbcSha256, Checksums.HexOf(HashAlgorithmName.SHA256, "abc"u8));
    }

    [Fact]
    public void HexOfStreamHashesFromThePositionAcrossManyChunks()
    {
        byte[] data = new byte[(1 << 17) * 3 + 5]; // more than one read buffer
        new Random(7).NextBytes(data);
        using var stream = new MemoryStream([.. "xx"u8, .. data]);
        stream.Position = 2;

        Assert.Equal(Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant(), Checksums.HexOf(HashAlgorithmName.SHA256, stream));
    }

    [Fact]
    public void OneStreamingPassGivesBothHashesAndTheSize()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "abc", new UTF8Encoding(false));
            FileDigest d = Checksums.OfFile(file);

            Assert.Equal(new FileDigest(AbcMd5, AbcSha256, 3), d);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
