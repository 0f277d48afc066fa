// A fake cgroup host in a temp dir: mount points are plain dirs, mountinfo
// and /proc/self/cgroup are files the test writes. Files the kernel would
// create in a new cgroup (cgroup.procs, ...) are created by the test.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cgroups/cgroup_file.hpp"
#include "cgroups/manager.hpp"

namespace nucleus::cgroups::testing {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "nucleus-cgroups-XXXXXX").native();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

inline void put(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

inline std::string get(const fs::path& file) {
  auto r = read_file(file);
  return r ? std::string(trim(*r)) : std::string("<missing>");
}

class FakeHost {
 public:
  FakeHost() {
    fs::create_directories(root());
    mountinfo_ << "25 1 0:23 / /sys rw,nosuid - sysfs sysfs rw\n";
  }
  fs::path root() const { return tmp_.path() / "sys-fs-cgroup"; }
  fs::path mountinfo() const { return tmp_.path() / "mountinfo"; }
  fs::path proc_cgroup() const { return tmp_.path() / "proc-self-cgroup"; }

  // A v1 hierarchy at root()/dir with these super options ("rw,cpu,cpuacct").
  void add_v1(const std::string& dir, const std::string& super_options, const std::string& mnt_root = "/") {
    fs::create_directories(root() / dir);
    ++id_;
    mountinfo_ << id_ << " 31 0:" << id_ << " " << mnt_root << " " << (root() / dir).native()
               << " rw,nosuid,nodev,noexec,relatime shared:" << id_ << " - cgroup cgroup " << super_options
               << "\n";
  }
  // cgroup2 at root()/dir ("" = root() itself, a pure v2 host).
  void add_cgroup2(const std::string& dir, const std::string& mnt_root = "/") {
    fs::path mp = dir.empty() ? root() : root() / dir;
    fs::create_directories(mp);
    ++id_;
    mountinfo_ << id_ << " 31 0:" << id_ << " " << mnt_root << " " << mp.native()
               << " rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate\n";
  }
  // This host's usual hybrid layout.
  void add_debian_hybrid() {
    add_v1("cpu,cpuacct", "rw,cpu,cpuacct");
    add_v1("cpuset", "rw,cpuset");
    add_v1("memory", "rw,memory");
    add_v1("freezer", "rw,freezer");
    add_v1("pids", "rw,pids");
    add_v1("systemd", "rw,xattr,name=systemd");
    add_cgroup2("unified");
  }
  void set_own_cgroup(const std::string& text) { put(proc_cgroup(), text); }

  CgroupConfig config(const std::string& id, const std::string& cgroups_path = "") {
    put(mountinfo(), mountinfo_.str());
    if (!fs::exists(proc_cgroup())) set_own_cgroup("0::/\n");
    CgroupConfig c;
    c.id = id;
    c.cgroups_path = cgroups_path;
    c.driver = CgroupDriver::cgroupfs;
    c.mount_root = root();
    c.proc_self_cgroup_path = proc_cgroup().native();
    c.mountinfo_path = mountinfo().native();
    return c;
  }
  void write_mountinfo() { put(mountinfo(), mountinfo_.str()); }

 private:
  TempDir tmp_;
  std::ostringstream mountinfo_;
  int id_ = 40;
};

}  // namespace nucleus::cgroups::testing
