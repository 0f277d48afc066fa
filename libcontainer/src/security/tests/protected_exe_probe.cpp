// A program that runs itself from a protected view (nucleus/protected_exe.hpp)
// and prints what it then runs from: "readonly-mount", "sealed-memfd" or
// "writable". protected_exe_test.cpp runs it, directly and where mounts are
// not allowed.
#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdio>

#include "nucleus/protected_exe.hpp"
#include "nucleus/unique_fd.hpp"

int main(int, char** argv) {
  if (auto r = nucleus::run_from_protected_view(argv); !r) {
    std::printf("error: %s\n", r.error().what().c_str());
    return 1;
  }
  nucleus::UniqueFd self(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  struct statvfs st {};
  int seals = ::fcntl(self.get(), F_GET_SEALS);
  if (seals > 0 && (seals & F_SEAL_WRITE)) std::puts("sealed-memfd");
  else if (::fstatvfs(self.get(), &st) == 0 && (st.f_flag & ST_RDONLY)) std::puts("readonly-mount");
  else std::puts("writable");
  return 0;
}
