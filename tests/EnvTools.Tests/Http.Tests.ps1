# Find-EnvPackage and Resolve-EnvPackage against HTTP channels served on 127.0.0.1 by the loopback
# test server, compared with the same channels read as folders.
BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestIsolation.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestData.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestChannel.psm1') -Force

    $records = @(
        New-TestRecord python 3.11.7 -Build h1_0 -Depends 'openssl >=3', 'zlib'
        New-TestRecord python 3.12.1 -Build h2_0 -Depends 'openssl >=3.2', 'zlib'
        New-TestRecord openssl 3.1.4 -Build h3_0
        New-TestRecord openssl 3.2.0 -Build h4_0 -Depends '__glibc >=2.28'
        New-TestRecord zlib 1.3 -Build h6_0
        New-TestRecord numpy 1.26.2 -Build py311_0 -Depends 'python >=3.11,<3.12'
        New-TestRecord numpy 2.0.0 -Build py312_0 -Depends 'python >=3.12,<3.13'
    )
    $script:served = Join-Path $TestDrive 'served'
    $script:folder = New-TestChannel -Path (Join-Path $served 'chan') -Records $records

    # isolate the repodata cache and the configuration of the machine running the tests
    $script:saved = @{}
    foreach ($k in 'CONDA_PKGS_DIRS', 'CONDA_LOCAL_REPODATA_TTL', 'CONDA_REMOTE_BACKOFF_FACTOR', 'CONDA_OFFLINE', 'CONDA_REMOTE_MAX_RETRIES', 'CONDARC', 'CONDA_RESTRICT_RC_SEARCH_PATH') {
        $saved[$k] = [Environment]::GetEnvironmentVariable($k)
    }
    $env:CONDA_PKGS_DIRS = Join-Path $TestDrive 'pkgs'
    $env:CONDA_LOCAL_REPODATA_TTL = '0'
    $env:CONDA_REMOTE_BACKOFF_FACTOR = '0.01'
    $env:CONDA_RESTRICT_RC_SEARCH_PATH = 'true'
    Remove-Item env:CONDARC -ErrorAction SilentlyContinue

    $script:server = Start-TestChannelServer -Path $served -Fault 'flaky/linux-64/repodata.json.zst=503x2'
    Copy-Item -Recurse (Join-Path $served 'chan') (Join-Path $served 'flaky')
    $script:http = "$($server.Url)/chan"

    function Show($records) { $records | ForEach-Object { "$($_.Name)=$($_.Version)=$($_.Build)" } }
}

AfterAll {
    if ($server) { $server | Stop-TestChannelServer }
    foreach ($k in $saved.Keys) { Set-TestVariable $k $saved[$k] }
}

Describe 'HTTP channels' {
    It 'Find-EnvPackage returns the same records over HTTP as from the folder' {
        $overHttp = Find-EnvPackage numpy -Channel $http -OverrideChannels -Platform linux-64
        Show $overHttp | Should -Be (Show (Find-EnvPackage numpy -Channel $folder -OverrideChannels -Platform linux-64))
        $overHttp.Count | Should -Be 2
        $overHttp[0].Url | Should -BeLike "$http/linux-64/*"
    }

    It 'Resolve-EnvPackage solves the same over HTTP as from the folder' {
        $overHttp = Resolve-EnvPackage numpy -Channel $http -OverrideChannels -Platform linux-64 -VirtualPackage '__glibc=2.28'
        Show $overHttp | Should -Be (Show (Resolve-EnvPackage numpy -Channel $folder -OverrideChannels -Platform linux-64 -VirtualPackage '__glibc=2.28'))
        ($overHttp | Where-Object Name -eq numpy).Version | Should -Be '2.0.0'
    }

    It 'loads the HTTP stack (Microsoft.Extensions.Http, Polly) in the module''s own load context' {
        foreach ($name in 'Polly', 'Microsoft.Extensions.Http', 'Microsoft.Extensions.Http.Polly') {
            $asm = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq $name }
            $asm | Should -Not -BeNullOrEmpty -Because "$name is loaded once an HTTP channel was read"
            [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($asm[0]).Name | Should -Be 'EnvTools.Dependencies'
        }
    }

    It 'writes conda''s repodata cache in the first pkgs dir' {
        $infos = Get-ChildItem (Join-Path $env:CONDA_PKGS_DIRS 'cache') -Filter *.info.json
        $infos.Count | Should -BeGreaterOrEqual 2
        ($infos | ForEach-Object { (Get-Content $_ -Raw | ConvertFrom-Json).url }) | Should -Contain "$http/linux-64/repodata.json"
    }

    It 'retries a flaky server (503 twice) and succeeds' {
        (Find-EnvPackage zlib -Channel "$($server.Url)/flaky" -OverrideChannels -Platform linux-64).Version | Should -Be '1.3'
    }

    It 'works offline from the cache' {
        $env:CONDA_OFFLINE = 'true'
        try { (Find-EnvPackage zlib -Channel $http -OverrideChannels -Platform linux-64).Version | Should -Be '1.3' }
        finally { Remove-Item env:CONDA_OFFLINE }
    }

    It 'reports an uncached channel offline as ChannelUnavailable' {
        $env:CONDA_OFFLINE = 'true'
        try {
            Find-EnvPackage zlib -Channel "$($server.Url)/never-loaded" -OverrideChannels -Platform linux-64 -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'ChannelUnavailable,*'
            $err[0].Exception.Message | Should -Match 'offline'
        }
        finally { Remove-Item env:CONDA_OFFLINE }
    }

    It 'reports an unreachable server as ChannelUnavailable' {
        $env:CONDA_REMOTE_MAX_RETRIES = '1'
        try {
            $port = Get-UnusedLoopbackPort
            Find-EnvPackage zlib -Channel "http://127.0.0.1:$port/chan" -OverrideChannels -Platform linux-64 -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'ChannelUnavailable,*'
            $err[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
            $err[0].Exception.Message | Should -Match "127\.0\.0\.1:$port"
        }
        finally { Remove-Item env:CONDA_REMOTE_MAX_RETRIES }
    }
}

Describe 'Sharded repodata (CEP-16) over HTTP' {
    It 'reads conda''s sharded test repository with repodata_use_shards' {
        $rel = 'repodata/conda-tests/conda_format_repo/linux-64/repodata_shards.msgpack.zst'
        if (-not (Test-ConformanceData $rel)) { Set-ItResult -Skipped -Because (Get-ConformanceDataMessage $rel); return }
        $repo = Get-ConformanceDataPath 'repodata/conda-tests/conda_format_repo'
        foreach ($subdir in 'linux-64', 'noarch') {
            $to = Join-Path $served "conda-sharded/$subdir"
            New-Item -ItemType Directory -Path $to -Force | Out-Null
            Copy-Item (Join-Path $repo "$subdir/*") $to
            Remove-Item (Join-Path $to 'repodata.json'), (Join-Path $to 'current_repodata.json') -ErrorAction SilentlyContinue
        }
        $env:CONDA_REPODATA_USE_SHARDS = 'true'
        try {
            $zlib = Find-EnvPackage zlib -Channel "$($server.Url)/conda-sharded" -OverrideChannels -Platform linux-64
            # the .conda record hides its .tar.bz2 twin, as from a folder
            @($zlib).Count | Should -Be 1
            $zlib.FileName | Should -Be 'zlib-1.2.11-h7b6447c_3.conda'
            $zlib.Depends | Should -Be 'libgcc-ng >=7.3.0'
        }
        finally { Remove-Item env:CONDA_REPODATA_USE_SHARDS }
    }
}

Describe 'HTTP channels with a token' {
    BeforeAll {
        $script:tokenServer = Start-TestChannelServer -Path $served -Token 'tok-12345'
    }
    AfterAll {
        if ($tokenServer) { $tokenServer | Stop-TestChannelServer }
    }

    It 'reads a channel under /t/TOKEN/ and never writes the token to the cache' {
        (Find-EnvPackage zlib -Channel "$($tokenServer.Url)/t/tok-12345/chan" -OverrideChannels -Platform linux-64).Version | Should -Be '1.3'
        Get-ChildItem (Join-Path $env:CONDA_PKGS_DIRS 'cache') | ForEach-Object {
            $_.Name | Should -Not -Match 'tok-12345'
            Get-Content $_.FullName -Raw | Should -Not -Match 'tok-12345'
        }
    }

    It 'reports a refused token as ChannelUnavailable with the status and without the token' {
        Find-EnvPackage zlib -Channel "$($tokenServer.Url)/t/bad-token-777/chan" -OverrideChannels -Platform linux-64 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ChannelUnavailable,*'
        $err[0].Exception.Message | Should -Match 'HTTP 403'
        $err[0].Exception.Message | Should -Not -Match 'bad-token-777'
    }
}
