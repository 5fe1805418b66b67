// Style sheets imported by the browser code are bundled by esbuild into the page's styles.
declare module '*.css';
