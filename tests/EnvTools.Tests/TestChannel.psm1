# Builds small conda channels for the Pester tests: real repodata.json files in a folder.

function New-TestRecord {
    param(
        [Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [string] $Version,
        [string] $Build = '0',
        [int] $BuildNumber = 0,
        [string[]] $Depends = @(),
        [string[]] $Constrains = @(),
        [string] $Subdir = 'linux-64',
        [long] $Timestamp = 1700000000000
    )
    [ordered]@{
        name         = $Name
        version      = $Version
        build        = $Build
        build_number = $BuildNumber
        depends      = @($Depends)
        constrains   = @($Constrains)
        subdir       = $Subdir
        timestamp    = $Timestamp
        size         = 1024 * ($Name.Length + $Version.Length)
        md5          = ('{0:x32}' -f [Math]::Abs("$Name$Version$Build".GetHashCode()))
        license      = 'BSD-3-Clause'
    }
}

function New-TestChannel {
    <# Writes <Path>/<subdir>/repodata.json for the given records (and an empty noarch). #>
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [System.Collections.IDictionary[]] $Records
    )
    $bySubdir = @{ 'noarch' = [ordered]@{} }
    foreach ($r in $Records) {
        if (-not $bySubdir.ContainsKey($r.subdir)) { $bySubdir[$r.subdir] = [ordered]@{} }
        $bySubdir[$r.subdir]["$($r.name)-$($r.version)-$($r.build).tar.bz2"] = $r
    }
    foreach ($subdir in $bySubdir.Keys) {
        $dir = Join-Path $Path $subdir
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        $doc = [ordered]@{
            info             = @{ subdir = $subdir }
            packages         = $bySubdir[$subdir]
            'packages.conda' = @{}
            repodata_version = 1
        }
        $doc | ConvertTo-Json -Depth 10 | Set-Content -Path (Join-Path $dir 'repodata.json') -Encoding utf8NoBOM
    }
    $Path
}

function Start-TestChannelServer {
    <#
    Serves a folder of channels over HTTP on 127.0.0.1 (a free port) with the loopback server the xunit
    tests use (tests/EnvTools.TestServer, built by build.ps1). Returns an object with Url, Port and Process;
    stop it with Stop-TestChannelServer. -Fault 'suffix=503x2' injects statuses; -Token requires /t/<token>/.
    #>
    param(
        [Parameter(Mandatory)] [string] $Path,
        [string] $Token,
        [string[]] $Fault = @()
    )
    $dll = $env:ENVTOOLS_TESTSERVER
    if (-not $dll) {
        $dll = @('Release', 'Debug') | ForEach-Object { Join-Path $PSScriptRoot "../EnvTools.TestServer/bin/$_/net8.0/EnvTools.TestServer.dll" } |
            Where-Object { Test-Path $_ } | Select-Object -First 1
    }
    if (-not $dll -or -not (Test-Path $dll)) { throw "EnvTools.TestServer.dll not found: run build.ps1 Build (or set ENVTOOLS_TESTSERVER)" }

    # the Windows lane hands in a self-contained EnvTools.TestServer.exe (no dotnet host there); elsewhere the dll runs with dotnet
    if ($dll -like '*.exe') { $psi = [System.Diagnostics.ProcessStartInfo]::new($dll) }
    else { $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet'); $psi.ArgumentList.Add($dll) }
    $psi.ArgumentList.Add($Path)
    if ($Token) { $psi.ArgumentList.Add('--token'); $psi.ArgumentList.Add($Token) }
    foreach ($f in $Fault) { $psi.ArgumentList.Add('--fault'); $psi.ArgumentList.Add($f) }
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($psi)
    $read = $process.StandardOutput.ReadLineAsync()
    if (-not $read.Wait([TimeSpan]::FromSeconds(30)) -or $read.Result -notmatch '^PORT=(\d+)$') {
        if (-not $process.HasExited) { $process.Kill() }
        throw "the test server did not start (first line: '$($read.Result)')"
    }
    $port = [int] $Matches[1]
    [pscustomobject]@{ Url = "http://127.0.0.1:$port"; Port = $port; Process = $process }
}

function Stop-TestChannelServer {
    param([Parameter(Mandatory, ValueFromPipeline)] $Server)
    process {
        $Server.Process.StandardInput.Close()
        if (-not $Server.Process.WaitForExit(5000)) { $Server.Process.Kill() }
        $Server.Process.Dispose()
    }
}

function Get-UnusedLoopbackPort {
    $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $l.Start()
    $port = $l.LocalEndpoint.Port
    $l.Stop()
    $port
}

Export-ModuleMember -Function New-TestRecord, New-TestChannel, Start-TestChannelServer, Stop-TestChannelServer, Get-UnusedLoopbackPort
