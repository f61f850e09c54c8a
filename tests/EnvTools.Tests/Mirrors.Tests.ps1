# mirrored_channels (mamba's key): conda-forge fetched from its mirrors in order, the records still named conda-forge.
# The channel alias is a closed port on 127.0.0.1 (the channel's own URL never answers); the first mirror is another
# closed port, the second a folder of real packages.
BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestPackages.psm1') -Force

    $script:saved = Use-IsolatedConda -Root (Join-Path $TestDrive 'conda')
    $script:mirror = Join-Path $TestDrive 'mirror/conda-forge'
    New-TestPackage -Channel $mirror -Name zlib -Version 1.3.1 -Files @{ 'share/zlib/zlib.txt' = "zlib from the mirror`n" } | Out-Null
    Update-TestChannelIndex $mirror | Out-Null

    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    $port = $listener.LocalEndpoint.Port
    $listener.Stop()
    $script:alias = "http://127.0.0.1:$port"
    Set-Content -LiteralPath $env:CONDARC -Value (
        "channels: []`nchannel_alias: $alias`nremote_max_retries: 0`n" +
        "mirrored_channels:`n  conda-forge:`n    - $alias/down/conda-forge`n    - '$mirror'`n")
}

AfterAll {
    Restore-IsolatedConda $saved
}

Describe 'mirrored_channels' {
    It 'New-Env x zlib -Channel conda-forge installs from the mirror; Get-EnvPackage shows the channel conda-forge' {
        $verbose = New-Env x zlib -Channel conda-forge -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } |
            ForEach-Object Message
        $prefix = Join-Path $env:CONDA_ENVS_DIRS 'x'
        Get-Content -Raw (Join-Path $prefix 'share/zlib/zlib.txt') | Should -Be "zlib from the mirror`n"

        $zlib = Get-EnvPackage -Name x zlib
        $zlib.Version | Should -Be '1.3.1'
        $zlib.Channel | Should -Be 'conda-forge'

        # conda-meta keeps the channel's own URL, so conda (which has no mirrors) sees conda-forge
        $meta = Get-Content -Raw (Get-ChildItem (Join-Path $prefix 'conda-meta') -Filter 'zlib-1.3.1-0.json').FullName | ConvertFrom-Json
        $meta.url | Should -BeLike "$alias/conda-forge/*/zlib-1.3.1-0.conda"
        $meta.channel | Should -BeLike "$alias/conda-forge/*"

        # verbose names the mirror that served (the folder), after the one that was down
        $mirrorUrl = [uri]::new($mirror, [UriKind]::Absolute).AbsoluteUri
        $verbose | Where-Object { $_ -like "Channel conda-forge/*from mirror $mirrorUrl (after $alias/down/conda-forge: cannot fetch*" } | Should -Not -BeNullOrEmpty
        $verbose | Where-Object { $_ -like "Package zlib-1.3.1-0.conda: downloaded from mirror $mirrorUrl*" } | Should -Not -BeNullOrEmpty
    }

    It 'Get-EnvConfig knows the key and shows the mirrors' {
        $c = Get-EnvConfig mirrored_channels
        $c.Value['conda-forge'] | Should -Be @("$alias/down/conda-forge", $mirror)
    }
}
