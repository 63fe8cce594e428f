# Homebrew formula for lwgw. A team publishes it in its own tap (a repository named
# <org>/homebrew-lwgw holding Formula/lwgw.rb): `brew tap <org>/lwgw && brew install lwgw`.
# packaging/release.sh prints the url and sha256 of each release's source tarball.
class Lwgw < Formula
  desc "Connect coding CLIs (Claude Code, Codex, Gemini CLI, ...) to the LangWatch AI Gateway"
  homepage "https://github.com/langwatch/lwgw"
  url "https://github.com/langwatch/lwgw/releases/download/v0.1.0/lwgw-0.1.0.tar.gz"
  sha256 "0000000000000000000000000000000000000000000000000000000000000000"
  head "https://github.com/langwatch/lwgw.git", branch: "main"

  depends_on "cmake" => :build
  depends_on "pkgconf" => :build
  # Header-only: needed to build, not to run.
  depends_on "cli11" => :build
  depends_on "nlohmann-json" => :build
  depends_on "curl"
  depends_on "libevent"
  depends_on "openssl@3"
  depends_on "tomlplusplus"

  def install
    system "cmake", "-S", ".", "-B", "build", "-DLWGW_BUILD_TESTS=OFF", *std_cmake_args
    system "cmake", "--build", "build"
    system "cmake", "--install", "build"
    # The completions and man page come from the CMake install: bash, zsh (site-functions),
    # fish (vendor_completions.d) and man1/lwgw.1.gz.
  end

  service do
    run [opt_bin/"lwgw", "up", "--foreground"]
    keep_alive true
    log_path var/"log/lwgw.log"
    error_log_path var/"log/lwgw.log"
  end

  test do
    ENV["HOME"] = testpath
    ENV["XDG_CONFIG_HOME"] = testpath/".config"
    assert_match "lwgw #{version}", shell_output("#{bin}/lwgw --version")
    assert_match "proxy.listen", shell_output("#{bin}/lwgw config show")
  end
end
