// A rollup plugin serving in-memory modules by id.
export default function virtual(modules) {
  return {
    name: 'virtual',
    resolveId: (id) => (id in modules ? id : null),
    load: (id) => (id in modules ? modules[id] : null),
  };
}
