// The login-service definitions: a systemd user unit and a launchd agent.
#include "lwgw/daemon/service_files.hpp"

namespace lwgw::daemon {

namespace {
// systemd's quoting for one word of ExecStart/Environment.
std::string sd_quote(const std::string& s) {
  if (s.find_first_of(" \t\"'\\$%") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '$') out += '$';
    if (c == '%') out += '%';
    out += c;
  }
  return out + "\"";
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}
}  // namespace

constexpr const char* kHeader =
    "# Installed by `lwgw setup` or `lwgw service install`; removed by `lwgw service "
    "uninstall`.\n";

std::string systemd_unit(const std::string& exe, const Env& env) {
  std::string u = std::string(kHeader) +
                  "[Unit]\n"
                  "Description=lwgw: local proxy to the LangWatch AI Gateway\n"
                  "Documentation=man:lwgw(1)\n"
                  "Requires=lwgw.socket\n"
                  "After=lwgw.socket network-online.target\n"
                  "\n"
                  "[Service]\n"
                  "Type=simple\n";
  // The unit sees the same files as the shell that installed it.
  for (const char* name : {"XDG_CONFIG_HOME", "XDG_STATE_HOME", "LWGW_CONFIG"})
    if (auto v = env.get(name); v && !v->empty())
      u += "Environment=" + sd_quote(std::string(name) + "=" + *v) + "\n";
  u += "ExecStart=" + sd_quote(exe) +
       " up --foreground\n"
       "ExecReload=/bin/kill -HUP $MAINPID\n"
       "Restart=on-failure\n"
       "RestartSec=2\n"
       "\n"
       "[Install]\n"
       "Also=lwgw.socket\n";
  return u;
}

std::string systemd_socket(const std::string& listen) {
  return std::string(kHeader) +
         "[Unit]\n"
         "Description=lwgw: the local proxy's socket (the first connection starts the proxy)\n"
         "Documentation=man:lwgw(1)\n"
         "\n"
         "[Socket]\n"
         "ListenStream=" +
         listen +
         "\n"
         "NoDelay=true\n"
         "\n"
         "[Install]\n"
         "WantedBy=sockets.target\n";
}

std::string launchd_plist(const std::string& exe, const Paths& paths) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
         "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
         "<!-- Installed by `lwgw setup` or `lwgw service install`; removed by `lwgw service "
         "uninstall`. -->\n"
         "<plist version=\"1.0\">\n"
         "<dict>\n"
         "  <key>Label</key>\n"
         "  <string>ai.langwatch.lwgw</string>\n"
         "  <key>ProgramArguments</key>\n"
         "  <array>\n"
         "    <string>" +
         xml_escape(exe) +
         "</string>\n"
         "    <string>up</string>\n"
         "    <string>--foreground</string>\n"
         "  </array>\n"
         "  <key>RunAtLoad</key>\n"
         "  <true/>\n"
         "  <key>KeepAlive</key>\n"
         "  <dict>\n"
         "    <key>SuccessfulExit</key>\n"
         "    <false/>\n"
         "  </dict>\n"
         "  <key>StandardErrorPath</key>\n"
         "  <string>" +
         xml_escape((paths.state_dir / "launchd.log").string()) +
         "</string>\n"
         "</dict>\n"
         "</plist>\n";
}

}  // namespace lwgw::daemon
