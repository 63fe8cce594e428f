// doctor's checks by group, in the order they are listed and run (src/doctor/checks_*.cpp).
#pragma once

#include <vector>

#include "lwgw/doctor/check.hpp"

namespace lwgw::doctor {

std::vector<Check> lwgw_checks();   // lwgw.*: version, config layers, permissions, keys in dotfiles
std::vector<Check> key_checks();    // key.*: present, shape, local token
std::vector<Check> proxy_checks();  // proxy.*: the local proxy
std::vector<Check> network_checks();  // network.*: HTTP proxies, NO_PROXY, DNS, TCP, TLS, clock
std::vector<Check> gateway_checks();  // gateway.*: URL, health, the key, budget, models
std::vector<Check> stream_checks();   // stream.*: one streamed request per dialect (--deep)

}  // namespace lwgw::doctor
