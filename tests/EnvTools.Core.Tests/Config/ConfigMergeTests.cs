using EnvTools.Config;
using Xunit;

namespace EnvTools.Tests.Config;

/// <summary>
/// conda's merge of sequences, maps and scalars across sources with <c>#!final</c>, <c>#!top</c> and
/// <c>#!bottom</c>. Inputs and expected results are the vectors of conda's
/// tests/common/test_configuration.py (test_list_merges, test_important_primitive_map_merges,
/// test_simple_merges_and_caching), run through real files in a condarc.d folder read in name order.
/// </summary>
public sealed class ConfigMergeTests : IDisposable
{
    private static readonly Dictionary<string, string> Files = new()
    {
        ["file1"] = "always_yes: no\n\nproxy_servers:\n  http: taz\n  https: sly\n  s3: pepe\n\nchannels:\n  - bugs\n  - daffy\n  - tweety\n",
        ["file2"] = "always_yes: yes\nchangeps1: no\n\nproxy_servers:\n  http: marv\n  https: sam\n\nchannels:\n  - porky\n  - bugs\n  - elmer\n",
        ["file3"] = "always_yes: yes  #!final\n\nproxy_servers:\n  http: foghorn  #!final\n  https: elmer\n  s3: porky\n\nchannels:\n  - wile   #!top\n  - daffy\n  - foghorn\n",
        ["file4"] = "always_yes: yes  #!final\nchangeps1: no  #!final\n\nproxy_servers:  #!final\n  http: bugs\n  https: daffy\n\nchannels:  #!final\n  - pepe\n  - marv\n  - sam\n",
        ["file5"] = "channels:\n  - pepe\n  - marv   #!top\n  - sam\n",
        ["file6"] = "channels:\n  - elmer\n  - marv  #!bottom\n  - bugs\n",
        ["file7"] = "channels:\n  - wile\n  - daffy  #!top\n  - sam    #!top\n  - foghorn\n",
        ["file8"] = "channels:\n  - pepe  #!bottom\n  - marv  #!top\n  - wile\n  - sam\n",
        ["file9"] = "channels: #!final\n  - sam\n  - pepe\n  - marv   #!top\n  - daffy  #!bottom\n",
    };

    private readonly ConfigFixture _f = new();

    public void Dispose() => _f.Dispose();

    /// <summary>Writes the files as condarc.d/00-fileN.yml, 01-…, so they load in the order given.</summary>
    private Settings LoadInOrder(params string[] names)
    {
        for (int i = 0; i < names.Length; i++)
        {
            _f.Write($"etc/conda/condarc.d/{i:00}-{names[i]}.yml", Files[names[i]]);
        }

        return _f.Load();
    }

    [Theory]
    [InlineData("file1,file2", "porky,bugs,elmer,daffy,tweety")]
    [InlineData("file2,file1", "bugs,daffy,tweety,porky,elmer")]
    [InlineData("file1,file3,file2", "wile,porky,bugs,elmer,daffy,foghorn,tweety")]
    [InlineData("file3,file2,file1", "wile,bugs,daffy,tweety,porky,elmer,foghorn")]
    [InlineData("file5,file3", "marv,wile,daffy,foghorn,pepe,sam")]
    [InlineData("file6,file5,file4,file3", "pepe,sam,elmer,bugs,marv")]
    [InlineData("file3,file4,file5,file6", "wile,pepe,marv,sam,daffy,foghorn")]
    [InlineData("file6,file3,file4,file5", "wile,pepe,sam,daffy,foghorn,elmer,bugs,marv")]
    [InlineData("file7,file8,file9", "sam,marv,wile,foghorn,daffy,pepe")]
    [InlineData("file7,file9,file8", "sam,marv,pepe,wile,foghorn,daffy")]
    [InlineData("file8,file7,file9", "marv,sam,wile,foghorn,daffy,pepe")]
    [InlineData("file8,file9,file7", "marv,sam,wile,daffy,pepe")]
    [InlineData("file9,file7,file8", "marv,sam,pepe,daffy")]
    [InlineData("file9,file8,file7", "marv,sam,pepe,daffy")]
    public void Sequences_MergeAsConda(string order, string expected)
    {
        Settings s = LoadInOrder(order.Split(','));
        Assert.Equal(expected.Split(','), s.Channels);
    }

    [Theory]
    [InlineData("file1,file2", false, true, "http=marv,https=sam,s3=pepe")]
    [InlineData("file2,file1", false, false, "http=taz,https=sly,s3=pepe")]
    [InlineData("file1,file3,file2", false, true, "http=foghorn,https=sam,s3=porky")]
    [InlineData("file3,file2,file1", false, true, "http=foghorn,https=sly,s3=pepe")]
    [InlineData("file4,file3,file1", false, true, "http=bugs,https=daffy")]
    [InlineData("file1,file4,file3,file2", false, true, "http=bugs,https=daffy,s3=pepe")]
    [InlineData("file1,file2,file3,file4", false, true, "http=foghorn,https=daffy,s3=porky")]
    [InlineData("file3,file1", true, true, "http=foghorn,https=sly,s3=pepe")]
    [InlineData("file4,file3", false, true, "http=bugs,https=daffy")]
    public void ScalarsAndMaps_MergeAsConda(string order, bool changePs1, bool alwaysYes, string proxies)
    {
        Settings s = LoadInOrder(order.Split(','));
        Assert.Equal(changePs1, s.ChangePs1);
        Assert.Equal(alwaysYes, s.AlwaysYes);
        Assert.Equal(proxies, string.Join(",", s.ProxyServers.Select(p => $"{p.Key}={p.Value}")));
    }

    [Fact]
    public void FlagComments_AreReadOnlyFromTheirOwnLine()
    {
        string[] lines = { "channels: [a, b]  #!final", "  - x  #!top", "  - 'y # not' #!bottom", "  - z # note", "key: \"#!final\"" };
        Assert.Equal(1, (int)CondarcReader.FlagOn(lines, 1));
        Assert.Equal(2, (int)CondarcReader.FlagOn(lines, 2));
        Assert.Equal(3, (int)CondarcReader.FlagOn(lines, 3));
        Assert.Equal(0, (int)CondarcReader.FlagOn(lines, 4));
        Assert.Equal(0, (int)CondarcReader.FlagOn(lines, 5));
    }
}
